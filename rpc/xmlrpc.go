package rpc

import (
	"net/http"
)

var xmlContentTypes = []string{"text/xml", "application/xml"}

// xmlProtocol is XML-RPC: one methodCall per request; system.multicall
// carries several.
type xmlProtocol struct{}

func (xmlProtocol) contentTypes() []string { return xmlContentTypes }

func (xmlProtocol) serve(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
	out := stateOf(r).reply
	enc := encoder{buf: out, xml: true, escape: s.cfg.EscapeHTML}
	out.WriteString(xmlHead + "<params><param>")
	c := &call{xml: true}
	var err error
	c.name, c.params, err = parseXMLCall(body)
	if err == nil {
		s.dispatch(r, c)
		err = c.err
	}
	if err == nil {
		if !c.written {
			enc.encode(c.reply)
		}
		out.WriteString("</param></params></methodResponse>\n")
		if f := out.err(); f != nil {
			err = f
		}
	}
	if f, ok := err.(*Fault); ok {
		out.reset()
		out.WriteString(xmlHead + "<fault>")
		writeFaultStruct(&enc, f)
		out.WriteString("</fault></methodResponse>\n")
	}
	out.send(w, "application/xml")
}

const xmlHead = "<?xml version=\"1.0\"?>\n<methodResponse>"

// faultStruct is the XML-RPC fault value, also used inside multicall
// results.
type faultStruct struct {
	Code   int    `json:"faultCode"`
	String string `json:"faultString"`
}

func writeFaultStruct(enc *encoder, f *Fault) {
	escape := enc.escape
	enc.escape = false // fault texts are never HTML-escaped
	enc.encode(faultStruct{f.Code, f.Message})
	enc.escape = escape
}
