@app.post("/messages")
def create():
    name = request.form.get("name", "").strip()
    body = request.form.get("message", "").strip()
    errors = validate(name, body)          # a problem per field, as ours
    if errors:
        page = render_template("index.html", form=request.form, errors=errors)
        return page, 422
    messages.add(name or "Anonymous", body)   # the model
    flash("Thank you for your message!")
    return redirect(url_for("index"), code=303)
