package wire

// XMLContentTypes are the Content-Types of XML-RPC requests: one
// methodCall each; system.multicall carries several.
var XMLContentTypes = []string{"text/xml", "application/xml"}

const xmlHead = "<?xml version=\"1.0\"?>\n<methodResponse>"

// XMLResultHead and XMLResultTail frame the one value of an XML-RPC
// result.
const (
	XMLResultHead = xmlHead + "<params><param>"
	XMLResultTail = "</param></params></methodResponse>\n"
)

// FaultStruct is the XML-RPC fault value, also used inside multicall
// results.
type FaultStruct struct {
	Code   int    `json:"faultCode"`
	String string `json:"faultString"`
}

// XMLFault writes a whole XML-RPC fault response. Fault texts are never
// HTML-escaped.
func (e *Encoder) XMLFault(f *Fault) {
	e.buf.WriteString(xmlHead + "<fault>")
	escape := e.escape
	e.escape = false
	e.Encode(FaultStruct{f.Code, f.Message})
	e.escape = escape
	e.buf.WriteString("</fault></methodResponse>\n")
}
