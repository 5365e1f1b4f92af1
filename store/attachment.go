package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// MaxAttachmentBytes is the largest file an attachment may hold, as Kiwi's
// FILE_UPLOAD_MAX_SIZE.
const MaxAttachmentBytes = 5 << 20

// Attachment is a stored file, as S-AttachmentList shows it.
type Attachment struct {
	ID            int64     `json:"pk"`
	Owner         string    `json:"-"`
	ObjectID      int64     `json:"-"`
	Filename      string    `json:"-"`
	CreatorID     int64     `json:"owner_pk"`
	CreatorName   string    `json:"owner_username"`
	Created       time.Time `json:"-"`
	URL           string    `json:"url"`
	CreatedString string    `json:"date"`
}

// AttachmentPath is where an attachment is served, under the server's root.
func AttachmentPath(owner string, objectID int64, filename string) string {
	return fmt.Sprintf("/uploads/attachments/%s/%d/%s", owner, objectID, filename)
}

// attachmentError words a refused upload as Kiwi does.
func attachmentError(msg string) error {
	return Errorf(Invalid, "{'attachment_file': [%s]}", quotePy(msg))
}

func quotePy(s string) string {
	if strings.Contains(s, "'") {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// AddAttachment validates a file and attaches it to the record (owner is
// "<app>_<model>", e.g. "auth_user"), as its creator by. It returns the
// stored attachment; a name already used on the record gets a random
// suffix.
func (s *Store) AddAttachment(ctx context.Context, by Principal, owner string, objectID int64, filename string, content []byte) (Attachment, error) {
	name, err := validAttachment(filename, content)
	if err != nil {
		return Attachment{}, err
	}
	row, err := s.q.AttachmentAdd(ctx, db.AttachmentAddParams{Owner: owner, ObjectID: objectID, Filename: name,
		AltFilename: withSuffix(name), Content: content, CreatorID: by.UserID})
	if err != nil {
		return Attachment{}, translate(err, "Attachment")
	}
	return Attachment{ID: row.ID, Owner: owner, ObjectID: objectID, Filename: row.Filename, CreatorID: by.UserID,
		CreatorName: by.Username, URL: AttachmentPath(owner, objectID, row.Filename)}, nil
}

// ListAttachments lists a record's attachments, newest first; URLs start
// with base ("https://host").
func (s *Store) ListAttachments(ctx context.Context, owner string, objectID int64, base string) ([]Attachment, error) {
	rows, err := s.q.AttachmentList(ctx, db.AttachmentListParams{Owner: owner, ObjectID: objectID})
	if err != nil {
		return nil, translate(err, "Attachment")
	}
	out := make([]Attachment, len(rows))
	for i, r := range rows {
		out[i] = Attachment{ID: r.ID, Owner: r.Owner, ObjectID: r.ObjectID, Filename: r.Filename, CreatorID: r.CreatorID,
			CreatorName: r.Username, Created: r.Created, URL: base + AttachmentPath(r.Owner, r.ObjectID, r.Filename),
			CreatedString: r.Created.UTC().Format("2006-01-02T15:04:05.000000")}
	}
	return out, nil
}

// RemoveAttachment deletes an attachment when by created it or may delete
// anyone's (attachments.delete_foreign_attachments); otherwise it does
// nothing, as Kiwi. A missing one is NotFound.
func (s *Store) RemoveAttachment(ctx context.Context, by Principal, id int64) error {
	missing, err := s.MissingPermission(ctx, by, []string{"attachments.delete_foreign_attachments"})
	if err != nil {
		return err
	}
	err = s.withTx(ctx, func(q *db.Queries) error {
		a, err := q.AttachmentGet(ctx, id)
		if err != nil {
			return err
		}
		if a.CreatorID != by.UserID && missing != "" {
			return nil
		}
		return q.AttachmentDelete(ctx, id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Errorf(NotFound, "No Attachment matches the given query.")
	}
	return translate(err, "Attachment")
}

// AttachmentContent returns a file by the parts of its URL.
func (s *Store) AttachmentContent(ctx context.Context, owner string, objectID int64, filename string) ([]byte, error) {
	content, err := s.q.AttachmentContent(ctx, db.AttachmentContentParams{Owner: owner, ObjectID: objectID, Filename: filename})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(NotFound, "No Attachment matches the given query.")
	}
	return content, translate(err, "Attachment")
}

// validAttachment checks a file as Kiwi's validators do and returns the
// name it is stored under: spaces become "_", characters other than
// letters, digits, "-", "_" and "." are dropped.
func validAttachment(filename string, content []byte) (string, error) {
	if strings.ContainsAny(filename, `/\`) {
		return "", attachmentError("The file name may not contain a path.")
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '_'
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.':
			return r
		}
		return -1
	}, strings.TrimSpace(filename))
	name = strings.TrimLeft(name, ".")
	if name == "" {
		return "", attachmentError("The file name is empty.")
	}
	if len(name) > 90 {
		ext := path.Ext(name)
		name = name[:90-len(ext)] + ext
	}
	switch {
	case len(content) > MaxAttachmentBytes:
		return "", attachmentError("File exceeds maximum size of 5.0 MB")
	case strings.Contains(strings.ToLower(filename), ".exe"),
		bytes.HasPrefix(content, []byte("MZ")), bytes.HasPrefix(content, []byte("\x7fELF")):
		return "", attachmentError("Uploading executable files is forbidden")
	}
	lower := bytes.ToLower(content)
	for _, tag := range forbiddenTags {
		if bytes.Contains(lower, []byte("<"+tag)) {
			return "", attachmentError("File contains forbidden tag: <" + tag + ">")
		}
	}
	if m := forbiddenAttribute.FindSubmatch(lower); m != nil {
		return "", attachmentError("File contains forbidden attribute: `" + string(m[1]) + string(m[2]) + "`")
	}
	return name, nil
}

var forbiddenTags = []string{"applet", "audio", "bgsound", "body", "canvas", "embed", "frameset", "frame", "head",
	"html", "iframe", "link", "meta", "object", "param", "source", "script", "ruby", "rt", "title", "track", "video", "xmp"}

// forbiddenAttribute finds event handler attributes and data: or
// javascript: URLs after white space.
var forbiddenAttribute = regexp.MustCompile(`[ \t\n](?:(on(?:abort|afterprint|animationend|animationiteration|animationstart|auxclick|beforeprint|beforeunload|blur|canplay|canplaythrough|change|click|contextmenu|copy|cuechange|cut|dblclick|drag|dragend|dragenter|dragleave|dragover|dragstart|drop|durationchange|emptied|ended|error|focus|focusin|focusout|formdata|fullscreenchange|hashchange|input|invalid|keydown|keypress|keyup|load|loadeddata|loadedmetadata|loadstart|message|mousedown|mouseenter|mouseleave|mousemove|mouseout|mouseover|mouseup|mousewheel|offline|online|pagehide|pageshow|paste|pause|play|playing|pointerdown|pointerenter|pointerleave|pointermove|pointerout|pointerover|pointerup|popstate|progress|ratechange|reset|resize|scroll|search|seeked|seeking|select|show|stalled|storage|submit|suspend|timeupdate|toggle|touchcancel|touchend|touchmove|touchstart|transitionend|unload|volumechange|waiting|wheel))\s*=|(data:|javascript:))`)

// withSuffix inserts "_" and seven random characters before the extension.
func withSuffix(name string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "_" + newSessionKey()[:7] + ext
}
