"""Value checks shared by the settings and the operator files: e-mail addresses and URLs.

Input: a string. Output: the string (stripped of surrounding blanks) or ``ValueError`` whose
message says what is wrong without repeating the value (values may be secrets, such as a
Slack webhook URL, and error messages end up in logs); ``without_credentials`` gives a URL
fit to show (``http://es:9200`` for ``http://elastic:PASSWORD@es:9200``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# local@domain, no blanks or control characters anywhere (a CR/LF in an address is a header
# injection), a domain of letter/digit/hyphen labels (IDN letters allowed), no leading dot.
_LOCAL = r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})*", re.UNICODE)


def email_address(value: str) -> str:
    """``value`` if it is one plain e-mail address (``name@example.org``, ``ops@localhost``)."""
    if any(c in value for c in "\r\n\t\x00"):
        raise ValueError("an e-mail address may not contain line breaks or control characters")
    value = value.strip()
    if not _EMAIL.fullmatch(value) or ".." in value or value.startswith("."):
        raise ValueError("not an e-mail address (expected name@example.org)")
    return value


def http_url(value: str) -> str:
    """``value`` if it is an absolute http(s) URL with a host (the value is never echoed)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host or " " in value:
        raise ValueError("not a URL (expected https://host/path)")
    return value


def without_credentials(url: str) -> str:
    """``url`` without its user and password, for output and logs."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return url.rpartition("@")[2]
    netloc = f"[{host}]" if ":" in host else host
    return urlunsplit(parts._replace(netloc=f"{netloc}:{port}" if port else netloc))
