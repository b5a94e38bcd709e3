"""Infrastructure the domain reaches only through its ports: key stores, keyrings, HTTP clients."""
