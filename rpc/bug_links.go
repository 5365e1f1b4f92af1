package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

var bugLinkMethods = []Method{
	{Name: "Bug.add_tag", Access: Perms, Perms: []string{"bugs.add_bug_tags"}, Returns: "nil",
		Doc: "Tags a bug (bug_id, tag); a missing tag is created when the caller holds management.add_tag. Tagging twice changes nothing."},
	{Name: "Bug.remove_tag", Access: Perms, Perms: []string{"bugs.delete_bug_tags"}, Returns: "nil",
		Doc: "Takes a tag (bug_id, tag) off a bug; the tag must exist."},
	{Name: "Bug.add_execution", Access: Perms, Perms: []string{"bugs.add_bug_executions"}, Returns: "nil",
		Doc: "Links an execution to a bug (bug_id, execution_id); both must exist. Linking twice changes nothing."},
	{Name: "Bug.get_comments", Access: Perms, Perms: []string{"django_comments.view_comment"}, Returns: "array",
		Doc: "The comments of a bug (bug_id), by id; object_pk is a string."},
	{Name: "Bug.add_comment", Access: Perms, Perms: []string{"django_comments.add_comment"}, Returns: "struct",
		Doc: "Comments on a bug (bug_id, comment, user_id, submit_date) and returns the comment; only a superuser's user_id and submit_date overrides count."},
	{Name: "Bug.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "nil",
		Doc: "Attaches a file (bug_id, filename, b64content: standard base64, at most 5 MiB, no executables or active HTML) to a bug, as the caller."},
	{Name: "Bug.list_attachments", Access: Perms, Perms: []string{"attachments.view_attachment"}, Returns: "array",
		Doc: "A bug's attachments (bug_id) as {pk, url, owner_pk, owner_username, date}, newest first; urls are absolute."},
}

// BugTagArgs are the parameters of Bug.add_tag and remove_tag.
type BugTagArgs struct {
	BugID int64  `json:"bug_id"`
	Tag   string `json:"tag"`
}

// AddTag answers Bug.add_tag.
func (b *Bug) AddTag(r *http.Request, args *BugTagArgs, _ *any) error {
	return b.s.store.AddBugTag(r.Context(), *caller(r), args.BugID, args.Tag)
}

// RemoveTag answers Bug.remove_tag.
func (b *Bug) RemoveTag(r *http.Request, args *BugTagArgs, _ *any) error {
	return b.s.store.RemoveBugTag(r.Context(), args.BugID, args.Tag)
}

// BugExecutionArgs are the parameters of Bug.add_execution.
type BugExecutionArgs struct {
	BugID       int64 `json:"bug_id"`
	ExecutionID int64 `json:"execution_id"`
}

// AddExecution answers Bug.add_execution.
func (b *Bug) AddExecution(r *http.Request, args *BugExecutionArgs, _ *any) error {
	return b.s.store.AddBugExecution(r.Context(), args.BugID, args.ExecutionID)
}

// GetComments answers Bug.get_comments.
func (b *Bug) GetComments(r *http.Request, args *BugIDArgs, reply *[]store.CommentRow) (err error) {
	*reply, err = b.s.store.Comments(r.Context(), store.BugOwner, args.BugID)
	return err
}

// BugCommentArgs are the parameters of Bug.add_comment.
type BugCommentArgs struct {
	BugID      int64  `json:"bug_id"`
	Comment    string `json:"comment"`
	UserID     *int64 `json:"user_id" rpc:"optional"`
	SubmitDate any    `json:"submit_date" rpc:"optional"`
}

// AddComment answers Bug.add_comment.
func (b *Bug) AddComment(r *http.Request, args *BugCommentArgs, reply *store.Comment) error {
	n, err := newComment(args.Comment, args.UserID, args.SubmitDate)
	if err != nil {
		return err
	}
	*reply, err = b.s.store.AddComment(r.Context(), *caller(r), store.BugOwner, args.BugID, n)
	return err
}

// BugAttachmentArgs are the parameters of Bug.add_attachment.
type BugAttachmentArgs struct {
	BugID      int64  `json:"bug_id"`
	Filename   string `json:"filename"`
	B64Content string `json:"b64content"`
}

// AddAttachment answers Bug.add_attachment; a missing bug is worded as
// Kiwi's 404.
func (b *Bug) AddAttachment(r *http.Request, args *BugAttachmentArgs, _ *any) error {
	return b.s.attachTo(r, store.BugOwner, "Bug", args.BugID, args.Filename, args.B64Content)
}

// ListAttachments answers Bug.list_attachments.
func (b *Bug) ListAttachments(r *http.Request, args *BugIDArgs, reply *[]store.Attachment) (err error) {
	*reply, err = b.s.recordAttachments(r, store.BugOwner, args.BugID)
	return err
}
