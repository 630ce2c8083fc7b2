// What the book adds to mdBook's pages, for every reader.
(function () {
    // The link to the other edition leads to this very page there:
    // `step04.md` is `step04.html` in either edition.
    const link = document.getElementById("language-link");
    if (link && link.dataset.page) {
        link.href = link.dataset.root + link.dataset.page.replace(/\.md$/, ".html");
    }

    // The sidebar's toggle is a button (a label cannot say whether it is
    // expanded); pressing it flips the checkbox mdBook's own script watches.
    const toggle = document.getElementById("mdbook-sidebar-toggle");
    const checkbox = document.getElementById("mdbook-sidebar-toggle-anchor");
    if (toggle && checkbox && toggle.tagName === "BUTTON") {
        toggle.addEventListener("click", function () {
            checkbox.checked = !checkbox.checked;
            checkbox.dispatchEvent(new Event("change"));
        });
        toggle.setAttribute("aria-expanded", String(checkbox.checked));
    }

    // A listing wider than the page scrolls sideways; a reader without a
    // mouse can scroll it only if it can take the keyboard's focus.
    document.querySelectorAll("pre > code").forEach(function (code) {
        if (code.scrollWidth > code.clientWidth) {
            code.tabIndex = 0;
        }
    });
})();
