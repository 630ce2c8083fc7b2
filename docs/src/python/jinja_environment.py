from jinja2 import Environment, FileSystemLoader, StrictUndefined

env = Environment(
    loader=FileSystemLoader("templates"),
    autoescape=True,             # every name; select_autoescape() would go by extension
    undefined=StrictUndefined,   # a name the template was not given is an error
)
messages = [{"name": "Seven", "body": "<b>hello</b>"}]
html = env.get_template("index.html").render(page=1, messages=messages)
