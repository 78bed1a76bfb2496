#!/usr/bin/env python3
"""The system browser in the end-to-end tests (the app opens URLs through xdg-open, which runs
$BROWSER): plays the person at a sandbox vendor's consent page. It loads the page, reads the
form the page shows, presses Allow, and follows the vendor's redirect back to the app's
loopback listener. Set SGEN_FAKE_BROWSER_DECISION=deny to press Deny instead."""
import html.parser
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main(url):
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    form = Form()
    form.feed(page)
    form.fields["decision"] = os.environ.get("SGEN_FAKE_BROWSER_DECISION", "approve")
    target = urllib.parse.urljoin(url, form.action)
    body = urllib.parse.urlencode(form.fields).encode()
    try:
        urllib.request.build_opener(NoRedirect).open(target, body, timeout=10)
        raise SystemExit("the vendor did not redirect back")
    except urllib.error.HTTPError as redirect:
        location = redirect.headers["Location"]
    urllib.request.urlopen(location, timeout=10).read()


if __name__ == "__main__":
    main(sys.argv[1])
