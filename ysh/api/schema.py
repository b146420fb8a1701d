"""drf-spectacular hooks."""


def drop_slash_twins(endpoints, **kwargs):
    """Keep one entry per path when a route is served both with and without a trailing slash."""
    bare = {path for path, *_ in endpoints if not path.endswith("/")}
    return [e for e in endpoints if not (e[0].endswith("/") and e[0].rstrip("/") in bare)]
