package session

import (
	"net"
	"net/http"
)

// ClientAddress is what logins from a request are throttled under (see
// store.LoginPolicy): the peer address, never a header a client can forge.
// An IPv6 client usually holds a whole /64, so that is what counts as one
// address.
func ClientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
