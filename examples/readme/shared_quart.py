from policy import API, PUBLIC
from quart import Quart

from crossorigin import CORS

app = Quart(__name__)
CORS(app, resources={"/api/*": API, "/public/*": PUBLIC})


@app.get("/api/me")
async def me():
    return {"name": "ann"}


@app.get("/public/status")
async def status():
    return {"ok": True}
