from crossorigin import Policy

# Validated once, here: a mistake fails at import, in every app that uses it.
API = Policy(
    origins=["https://app.example.com", "https://*.preview.example.com"],
    supports_credentials=True,
    allow_headers=["Content-Type", "Authorization"],
    expose_headers=["X-Total-Count"],
    max_age=600,
)
PUBLIC = Policy(origins="*", send_wildcard=True)
