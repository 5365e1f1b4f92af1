package rpc

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// download fetches a URL path with HTTP Basic credentials (none when user is "").
func (ts *testServer) download(path, user, pass string) (*http.Response, string) {
	ts.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAttachmentRoundTrip(t *testing.T) {
	ts := mustServer(t)
	if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "outsider", Password: "outsider-pass-1", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	// Added over XML-RPC, as the Markdown editor's client does.
	f, raw := ts.xmlFault(`<?xml version="1.0"?><methodCall><methodName>User.add_attachment</methodName><params>
<param><value><string>my notes.txt</string></value></param>
<param><value><string>`+b64("<p>hello</p>\n")+`</string></value></param></params></methodCall>`,
		"Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(userName+":"+userPass)))
	if f != nil || !strings.Contains(string(raw), "/uploads/attachments/auth_user/2/my_notes.txt") {
		t.Fatalf("add: %v %s", f, raw)
	}
	tester := ts.as(userName, userPass)
	var ref AttachmentRef
	result(t, tester("User.add_attachment", "my notes.txt", b64("again")), &ref)
	if ref.Filename == "my_notes.txt" || !strings.HasPrefix(ref.Filename, "my_notes_") {
		t.Fatalf("a taken name should get a suffix: %+v", ref)
	}

	resp, body := ts.download("/uploads/attachments/auth_user/2/my_notes.txt", userName, userPass)
	if resp.StatusCode != 200 || body != "<p>hello</p>\n" ||
		resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, _ := ts.download("/uploads/attachments/auth_user/2/my_notes.txt", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous download: %d", resp.StatusCode)
	}
	if resp, _ := ts.download("/uploads/attachments/auth_user/2/my_notes.txt", "outsider", "outsider-pass-1"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("download without attachments.view_attachment: %d", resp.StatusCode)
	}
	if resp, _ := ts.download("/uploads/attachments/auth_user/2/nope.txt", userName, userPass); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing file: %d", resp.StatusCode)
	}

	list, err := ts.Store.ListAttachments(t.Context(), "auth_user", 2, "http://x")
	if err != nil || len(list) != 2 || list[0].Filename != ref.Filename || list[1].URL != "http://x/uploads/attachments/auth_user/2/my_notes.txt" {
		t.Fatalf("list: %+v %v", list, err)
	}
	// Someone else's attachment is left alone without delete_foreign_attachments.
	root := store.Principal{UserID: 1, Username: adminName, IsSuperuser: true}
	if err := ts.Store.SetUserPermissions(t.Context(), root, "outsider", []string{"attachments.delete_attachment"}, true); err != nil {
		t.Fatal(err)
	}
	result(t, ts.as("outsider", "outsider-pass-1")("Attachment.remove_attachment", list[1].ID), new(any))
	if resp, _ := ts.download("/uploads/attachments/auth_user/2/my_notes.txt", userName, userPass); resp.StatusCode != 200 {
		t.Fatal("a foreign attachment was removed")
	}
	result(t, tester("Attachment.remove_attachment", list[1].ID), new(any))
	if resp, _ := ts.download("/uploads/attachments/auth_user/2/my_notes.txt", userName, userPass); resp.StatusCode != http.StatusNotFound {
		t.Fatal("the creator's remove did not remove")
	}
	wantFault(t, tester("Attachment.remove_attachment", list[1].ID), CodeInternal, "Internal error: No Attachment matches the given query.")
	wantFault(t, ts.as("outsider", "outsider-pass-1")("User.add_attachment", "a.txt", b64("x")), CodeAuth,
		`Authentication failed when calling "User.add_attachment": permission attachments.add_attachment required`)
}

func TestAttachmentRefused(t *testing.T) {
	ts := mustServer(t)
	tester := ts.as(userName, userPass)
	big := bytes.Repeat([]byte("a"), store.MaxAttachmentBytes+1)
	for _, c := range []struct{ name, content, msg string }{
		{"csrss.exe_from_reactos", "x", "Uploading executable files is forbidden"},
		{"prog.bin", "MZ\x90\x00", "Uploading executable files is forbidden"},
		{"x.html", "<html><SCRIPT>alert(1)</script>", "File contains forbidden tag: <html>"},
		{"x.svg", "<svg><SCRIPT>alert(1)</SCRIPT></svg>", "File contains forbidden tag: <script>"},
		{"x.svg", `<svg onload="alert(1)">`, "File contains forbidden attribute: `onload`"},
		{"x.md", "[a]( javascript:alert(1))", "File contains forbidden attribute: `javascript:`"},
		{"../x.txt", "x", "The file name may not contain a path."},
		{"big.txt", string(big), "File exceeds maximum size of 5.0 MB"},
	} {
		wantFault(t, tester("User.add_attachment", c.name, b64(c.content)), CodeInternal, "Internal error: {'attachment_file': ['"+c.msg+"']}")
	}
	wantFault(t, tester("User.add_attachment", "a.txt", "%%%"), CodeInternal, "Internal error: {'attachment_file': ['The content is not valid base64.']}")
	wantFault(t, tester("User.add_attachment", "a.txt"), CodeInvalidParams, "Invalid parameters: expected 2 parameters, got 1")
	// Plain text that merely mentions "online" or "data" is fine.
	result(t, tester("User.add_attachment", "notes.txt", b64("we went online\nand saw data")), new(AttachmentRef))
}

// TestAttachmentTooLarge: a 6 MiB file does not fit in a request (its
// base64 is over the body limit) and is refused at the HTTP level, before
// anything is decoded or written.
func TestAttachmentTooLarge(t *testing.T) {
	ts := mustServer(t)
	doc := `<?xml version="1.0"?><methodCall><methodName>User.add_attachment</methodName><params>
<param><value><string>big.txt</string></value></param>
<param><value><string>` + b64(strings.Repeat("a", 6<<20)) + `</string></value></param></params></methodCall>`
	resp, body := ts.post("/xml-rpc/", "text/xml", doc,
		"Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(userName+":"+userPass)))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Request body too large.") {
		t.Fatalf("want 413, got %d %q", resp.StatusCode, body)
	}
	list, err := ts.Store.ListAttachments(t.Context(), "auth_user", 2, "")
	if err != nil || len(list) != 0 {
		t.Fatalf("nothing may be written: %v %v", list, err)
	}
}

// TestTenantAttachmentURLs: through /t/<schema>/, attachment URLs keep the
// prefix and lead to the file; the endpoints answer without the trailing
// slash there too.
func TestTenantAttachmentURLs(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	f := mustRunFixture(t, b.aliceA)
	var ref AttachmentRef
	result(t, b.aliceA("User.add_attachment", "n.txt", b64("note")), &ref)
	if !strings.HasPrefix(ref.URL, "/t/a/uploads/attachments/auth_user/") {
		t.Fatalf("User.add_attachment URL %q", ref.URL)
	}
	if resp, body := b.download(ref.URL, "alice", "alice-pass"); resp.StatusCode != 200 || body != "note" {
		t.Fatalf("GET %s: %d %q", ref.URL, resp.StatusCode, body)
	}
	result(t, b.aliceA("TestRun.add_attachment", f.run, "log.txt", b64("hello")), new(any))
	var list []store.Attachment
	result(t, b.aliceA("TestRun.list_attachments", f.run), &list)
	path := strings.TrimPrefix(list[0].URL, b.URL)
	if len(list) != 1 || !strings.HasPrefix(path, "/t/a/uploads/attachments/testruns_testrun/") {
		t.Fatalf("list_attachments: %+v", list)
	}
	if resp, body := b.download(path, "alice", "alice-pass"); resp.StatusCode != 200 || body != "hello" {
		t.Fatalf("GET %s: %d %q", path, resp.StatusCode, body)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:alice-pass"))
	resp, text := b.post("/t/a/json-rpc", "application/json", `{"jsonrpc":"2.0","method":"TestRun.list_attachments","params":[`+fmt.Sprint(f.run)+`],"id":1}`, "Authorization", auth)
	if resp.StatusCode != 200 || !strings.Contains(text, `/t/a/uploads/attachments/testruns_testrun/`) {
		t.Fatalf("/t/a/json-rpc: %d %s", resp.StatusCode, text)
	}
	resp, text = b.post("/t/a/xml-rpc", "text/xml", `<methodCall><methodName>TestRun.list_attachments</methodName><params><param><value><int>`+
		fmt.Sprint(f.run)+`</int></value></param></params></methodCall>`, "Authorization", auth)
	if resp.StatusCode != 200 || !strings.Contains(text, `/t/a/uploads/attachments/testruns_testrun/`) {
		t.Fatalf("/t/a/xml-rpc: %d %s", resp.StatusCode, text)
	}
}
