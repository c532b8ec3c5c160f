from flask import Flask
from policy import API, PUBLIC

from crossorigin import CORS

app = Flask(__name__)
CORS(app, resources={"/api/*": API, "/public/*": PUBLIC})


@app.get("/api/me")
def me():
    return {"name": "ann"}


@app.get("/public/status")
def status():
    return {"ok": True}
