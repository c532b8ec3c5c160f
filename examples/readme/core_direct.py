import asyncio

from crossorigin import Policy


async def is_partner(origin: str) -> bool:
    return origin.endswith(".partner.example")  # e.g. a cached database lookup


policy = Policy(origins=["https://app.example.com", is_partner], max_age=600)

decision = policy.decide("GET", {"Origin": "https://app.example.com"})
print(decision.allowed, decision.headers)

preflight = {
    "Origin": "https://app.example.com",
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "content-type",
}
print(policy.decide("OPTIONS", preflight).status)

# An origin only the async callable can allow: decide() refuses for now and
# says so; decide_async() awaits the callable and settles it.
pending = policy.decide("GET", {"Origin": "https://shop.partner.example"})
print(pending.awaits_origin_check)
settled = asyncio.run(
    policy.decide_async("GET", {"Origin": "https://shop.partner.example"})
)
print(settled.allowed)
