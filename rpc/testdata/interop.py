"""Drives a tcms server with Python's stdlib xmlrpc.client, as tcms-api does.

Usage: interop.py BASE_URL USERNAME PASSWORD; prints "interop: OK" on success.
"""
import datetime
import sys
import xmlrpc.client


class CookieTransport(xmlrpc.client.Transport):
    """Keeps the cookies the server sets and sends them back, like tcms-api."""

    def __init__(self):
        super().__init__()
        self.cookies = {}

    def send_headers(self, connection, headers):
        if self.cookies:
            connection.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        super().send_headers(connection, headers)

    def parse_response(self, response):
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return super().parse_response(response)


def expect_fault(fn, code, prefix):
    try:
        fn()
    except xmlrpc.client.Fault as f:
        assert f.faultCode == code, (f.faultCode, f.faultString)
        assert f.faultString.startswith(prefix), f.faultString
        return
    raise AssertionError(f"expected fault {code} {prefix!r}")


def main(base, username, password):
    url = base + "/xml-rpc/"
    anon = xmlrpc.client.ServerProxy(url, allow_none=True, use_datetime=True)
    assert "Auth.login" in anon.system.listMethods()
    expect_fault(anon.KiwiTCMS.version, -32098, 'Authentication failed when calling "KiwiTCMS.version"')
    expect_fault(lambda: anon.Nope.nope(), -32601, 'Method not found: "Nope.nope"')
    expect_fault(lambda: anon.Auth.login(username), -32602, "Invalid parameters: expected 2 parameters, got 1")
    expect_fault(lambda: anon.Auth.login(username, "wrong"), -32603, "Internal error: Wrong username or password")
    expect_fault(lambda: anon.Auth.login(None, None), -32603, "Internal error: Username and password is required")
    # Values Python sends that a Go decoder easily gets wrong: None, datetimes, empty strings.
    expect_fault(lambda: anon.Auth.login("", datetime.datetime(2026, 1, 6, 20, 30)), -32602, "Invalid parameters: password")

    transport = CookieTransport()
    rpc = xmlrpc.client.ServerProxy(url, allow_none=True, use_datetime=True, transport=transport)
    token = rpc.Auth.login(username, password)
    assert token and "sessionid" in transport.cookies, transport.cookies
    assert rpc.KiwiTCMS.version() == "16.2"

    multi = xmlrpc.client.MultiCall(rpc)
    multi.KiwiTCMS.version()
    multi.system.methodSignature("Auth.login")
    assert list(multi()) == ["16.2", [["string", "string", "string"]]]

    assert rpc.Auth.logout() is None
    expect_fault(rpc.KiwiTCMS.version, -32098, 'Authentication failed when calling "KiwiTCMS.version"')

    # HTTP Basic in the URL, as a bare ServerProxy("http://user:pass@host/xml-rpc/") sends it.
    host = base.split("://", 1)[1]
    basic = xmlrpc.client.ServerProxy(f"http://{username}:{password}@{host}/xml-rpc/", allow_none=True)
    assert basic.KiwiTCMS.version() == "16.2"
    print("interop: OK")


if __name__ == "__main__":
    main(*sys.argv[1:4])
