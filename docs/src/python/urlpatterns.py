from wsgiref.simple_server import make_server

def index():
    return b"index"

def login():
    return b"login"

urlpatterns = (("/index/", index), ("/login/", login))

def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html")])
    for path, view in urlpatterns:
        if path == environ["PATH_INFO"]:
            return [view()]
    return [b"404 not found"]

make_server("127.0.0.1", 8000, application).serve_forever()
