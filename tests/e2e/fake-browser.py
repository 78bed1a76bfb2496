#!/usr/bin/env python3
"""The system browser in the tests (the app runs $BROWSER with the authorize URL): plays the
person at an authorization server. It follows redirects with cookies, fills and submits each
form it is shown (a sign-in form gets a login and password, a consent form gets the decision),
and stops after following the redirect back to the app's loopback /callback/ listener, or
after handing an app link (sgen-integrations://…) to $SGEN_APP_LINK_OPENER.
SGEN_FAKE_BROWSER_DECISION=deny presses Deny on the sandbox vendors' consent page."""
import html.parser
import http.cookiejar
import os
import subprocess
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
        if tag == "form" and self.action is None:
            self.action = attrs.get("action", "")
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


DEFAULTS = {"login": "ops@acme.example", "password": "any-password"}


def main(url):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
    )
    data = None
    for _ in range(20):
        try:
            page = opener.open(urllib.request.Request(url, data=data), timeout=10)
            body = page.read().decode()
        except urllib.error.HTTPError as answer:
            if answer.code not in (301, 302, 303, 307, 308):
                raise SystemExit(f"{url}: HTTP {answer.code}: {answer.read()[:300]!r}")
            url, data = urllib.parse.urljoin(url, answer.headers["Location"]), None
            if urllib.parse.urlparse(url).scheme not in ("http", "https"):
                # An app link (sgen-integrations://…): handed to whatever opens such links, as
                # the OS would; in the E2E suite, the app itself, whose single-instance plugin
                # forwards it to the running window.
                opener_command = os.environ.get("SGEN_APP_LINK_OPENER", "xdg-open")
                subprocess.run([opener_command, url], check=True, timeout=60)
                return
            if urllib.parse.urlparse(url).path.startswith("/callback/"):
                opener.open(url, timeout=10).read()
                return
            continue
        form = Form()
        form.feed(body)
        if form.action is None:
            raise SystemExit(f"{url}: a page with nothing to submit")
        fields = {k: v or DEFAULTS.get(k, v) for k, v in form.fields.items()}
        if "code_challenge" in fields:  # the sandbox vendors' consent page
            fields["decision"] = os.environ.get("SGEN_FAKE_BROWSER_DECISION", "approve")
        url = urllib.parse.urljoin(url, form.action)
        data = urllib.parse.urlencode(fields).encode()
    raise SystemExit("too many steps without coming back to the app")


if __name__ == "__main__":
    main(sys.argv[1])
