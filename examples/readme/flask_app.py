from flask import Flask

from crossorigin import CORS

app = Flask(__name__)
# The page that calls this API is served from http://127.0.0.1:8000.
CORS(app, origins=["http://127.0.0.1:8000"])


@app.get("/api/items")
def items():
    return {"items": ["apple", "pear"]}
