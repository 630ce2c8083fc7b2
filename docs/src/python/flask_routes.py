from flask import Flask
from markupsafe import escape

app = Flask(__name__)

@app.get("/hello/<name>")
def hello(name):
    return f"<h1>Hello, {escape(name)}</h1>"

@app.get("/users/<int:id>")
def user(id):
    return f"<p>This is the page of user number {id}.</p>"
