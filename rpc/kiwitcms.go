package rpc

import "net/http"

// KiwiTCMS is the KiwiTCMS namespace.
type KiwiTCMS struct{ s *Server }

var kiwiTCMSMethods = []Method{
	{Name: "KiwiTCMS.version", Access: Login, Returns: "string",
		Doc: "The Kiwi TCMS API version this server is compatible with."},
}

// Version answers KiwiTCMS.version.
func (k *KiwiTCMS) Version(_ *http.Request, _ *NoArgs, reply *string) error {
	*reply = k.s.cfg.Version
	return nil
}
