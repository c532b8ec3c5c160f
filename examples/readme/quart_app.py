from quart import Quart, websocket

from crossorigin import CORS

app = Quart(__name__)
CORS(app, origins=["http://127.0.0.1:8000"], check_websocket_origin=True)


@app.get("/api/items")
async def items():
    return {"items": ["apple", "pear"]}


@app.websocket("/ws")
async def ws():
    await websocket.send("hello")
