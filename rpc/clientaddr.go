package rpc

import (
	"context"
	"net"
	"net/http"

	"github.com/tcms/tcms/store"
)

// clientAddress is what logins from a request are throttled under (see
// store.LoginPolicy): the peer address, never a header a client can forge.
// An IPv6 client usually holds a whole /64, so that is what counts as one
// address.
func clientAddress(r *http.Request) string {
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

// withActor returns the request's context carrying the caller, for the
// audit log ("(anonymous)" without a login), and its client address.
func withActor(r *http.Request) context.Context {
	who := store.Principal{Username: "(anonymous)"}
	if p := stateOf(r).who; p != nil {
		who = *p
	}
	return store.WithActor(store.WithClientAddress(r.Context(), clientAddress(r)), who)
}
