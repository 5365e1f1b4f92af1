package rpc

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/tcms/tcms/store"
)

// Attachment is the Attachment namespace.
type Attachment struct{ s *Server }

var attachmentMethods = []Method{
	{Name: "Attachment.remove_attachment", Access: Perms, Perms: []string{"attachments.delete_attachment"}, Returns: "nil",
		Doc: "Deletes an attachment (pk from list_attachments) when the caller created it or holds attachments.delete_foreign_attachments; otherwise does nothing, as Kiwi."},
}

// AttachmentIDArgs names one attachment.
type AttachmentIDArgs struct {
	AttachmentID int64 `json:"attachment_id"`
}

// RemoveAttachment answers Attachment.remove_attachment.
func (a *Attachment) RemoveAttachment(r *http.Request, args *AttachmentIDArgs, _ *any) error {
	return a.s.store.RemoveAttachment(r.Context(), *caller(r), args.AttachmentID)
}

// addAttachment decodes b64content and attaches it to the record, as every
// X.add_attachment does.
func (s *Server) addAttachment(r *http.Request, owner string, objectID int64, filename, b64content string) (store.Attachment, error) {
	clean := strings.Map(func(c rune) rune {
		if c == '\n' || c == '\r' || c == ' ' || c == '\t' {
			return -1
		}
		return c
	}, b64content)
	content, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return store.Attachment{}, store.Errorf(store.Invalid, "{'attachment_file': ['The content is not valid base64.']}")
	}
	return s.store.AddAttachment(r.Context(), *caller(r), owner, objectID, filename, content)
}

// listAttachments lists a record's attachments, newest first, with
// absolute URLs on the request's scheme and host, as every
// X.list_attachments does.
func (s *Server) listAttachments(r *http.Request, owner string, objectID int64) ([]store.Attachment, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return s.store.ListAttachments(r.Context(), owner, objectID, scheme+"://"+r.Host+tenantPrefix(r))
}

// tenantPrefix is "/t/<schema>" for a request that reached a tenant by
// path prefix, where its attachments are served too, else "".
func tenantPrefix(r *http.Request) string {
	if t := r.PathValue("tenant"); t != "" {
		return "/t/" + t
	}
	return ""
}

// attachmentDownload is how the download endpoint is admitted: as a
// method that needs attachments.view_attachment.
var attachmentDownload = Method{Name: "attachment download", Access: Perms, Perms: []string{"attachments.view_attachment"}}

// serveAttachment answers GET /uploads/attachments/<owner>/<id>/<file> for
// callers holding attachments.view_attachment, always as a download that
// no browser renders.

func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	// unavailable answers 503 for an error that says the database cannot
	// serve the request now.
	unavailable := func(err error) bool {
		if store.ErrorKind(err) != store.Unavailable {
			return false
		}
		http.Error(w, "The database is unavailable; try again shortly.", http.StatusServiceUnavailable)
		return true
	}
	err := s.calls.Unavailable(r)
	var who *store.Principal
	if err == nil {
		who, _, _, err = s.sessions.Identify(r)
	}
	if unavailable(err) {
		return
	}
	if err != nil {
		s.log.Error("attachment download failed", "err", err)
		http.Error(w, "Internal error: internal error", http.StatusInternalServerError)
		return
	}
	reader, err := s.calls.Admit(r.Context(), who, &attachmentDownload)
	if unavailable(err) {
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if !reader && who == nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="tcms"`)
		http.Error(w, "Authentication required.", http.StatusUnauthorized)
		return
	}
	if !reader {
		missing, err := s.store.MissingPermission(r.Context(), *who, attachmentDownload.Perms)
		if unavailable(err) {
			return
		}
		if err != nil || missing != "" {
			http.Error(w, "Permission attachments.view_attachment required.", http.StatusForbidden)
			return
		}
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	name := r.PathValue("file")
	content, err := s.store.AttachmentContent(r.Context(), r.PathValue("owner"), id, name)
	if unavailable(err) {
		return
	}
	if err != nil {
		if store.ErrorKind(err) != store.NotFound {
			s.log.Error("attachment download failed", "err", err)
		}
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", downloadType(content))
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	w.Write(content)
}

// downloadType is the Content-Type a file is served with: raster images
// and PDFs as themselves, any other text as text/plain, the rest as bytes.
func downloadType(content []byte) string {
	t := http.DetectContentType(content)
	switch {
	case strings.HasPrefix(t, "image/png"), strings.HasPrefix(t, "image/jpeg"), strings.HasPrefix(t, "image/gif"),
		strings.HasPrefix(t, "image/webp"), strings.HasPrefix(t, "application/pdf"):
		return t
	case strings.HasPrefix(t, "text/"):
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// attachTo is X.add_attachment for a record that must exist: a missing
// one is worded as Kiwi's 404 ("No TestRun matches the given query.").
func (s *Server) attachTo(r *http.Request, owner, model string, objectID int64, filename, b64content string) error {
	if err := s.store.RecordExists(r.Context(), owner, objectID); err != nil {
		if store.ErrorKind(err) == store.NotFound {
			return store.Errorf(store.NotFound, "No %s matches the given query.", model)
		}
		return err
	}
	_, err := s.addAttachment(r, owner, objectID, filename, b64content)
	return err
}

// recordAttachments is X.list_attachments for a record that must exist.
func (s *Server) recordAttachments(r *http.Request, owner string, objectID int64) ([]store.Attachment, error) {
	if err := s.store.RecordExists(r.Context(), owner, objectID); err != nil {
		return nil, err
	}
	return s.listAttachments(r, owner, objectID)
}
