import asyncio

from flask import Flask

from crossorigin import CORS, cross_origin

app = Flask(__name__)
CORS(app, origins=["http://127.0.0.1:8000"])


@app.get("/api/items")
async def items():
    await asyncio.sleep(0.01)  # stands for an awaited database or HTTP call
    return {"items": ["apple", "pear"]}


# One view with its own policy: JSON bodies, preflights cached for 10 minutes.
@app.post("/api/orders")
@cross_origin(
    origins=["http://127.0.0.1:8000"], allow_headers=["Content-Type"], max_age=600
)
async def create_order():
    return {"created": True}, 201
