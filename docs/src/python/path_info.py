"""What a WSGI application gets for a Chinese path and form, in Python 3:
PEP 3333 hands over PATH_INFO as "bytes in a str", one character per byte
(latin-1), so UTF-8 text arrives garbled until the application re-decodes it."""
import threading
import urllib.parse
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server


def app(environ, start_response):
    raw = environ["PATH_INFO"]
    fixed = raw.encode("latin-1").decode("utf-8")
    size = int(environ.get("CONTENT_LENGTH") or 0)
    form = urllib.parse.parse_qs(environ["wsgi.input"].read(size).decode("ascii"))
    lines = [f"PATH_INFO as given: {raw!r}", f"re-decoded as UTF-8: {fixed!r}", f"form: {form}"]
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return ["\n".join(lines).encode("utf-8") + b"\n"]  # an iterable of bytes


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
threading.Thread(target=server.handle_request).start()

path = urllib.parse.quote("/文章/你好")  # what a browser sends
body = urllib.parse.urlencode({"名字": "小明"}).encode("ascii")
print("request target:", path)
print("form body:     ", body.decode("ascii"))
url = f"http://127.0.0.1:{server.server_port}{path}"
with urllib.request.urlopen(url, data=body) as response:
    print(response.read().decode("utf-8"), end="")
