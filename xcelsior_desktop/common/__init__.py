"""Small pieces every room uses: errors, safe file reading and writing, the hardened XML parser, throttled logs,
numbers as people read them. Depends on nothing else of the app."""
