package rpc

import (
	"maps"
	"net/http"

	"github.com/tcms/tcms/store"
)

var testExecutionLinkMethods = []Method{
	{Name: "TestExecution.add_comment", Access: Perms, Perms: []string{"django_comments.add_comment"}, Returns: "struct",
		Doc: "Comments on an execution (execution_id, comment, user_id, submit_date) and returns the comment; only a superuser's user_id and submit_date overrides count."},
	{Name: "TestExecution.remove_comment", Access: Perms, Perms: []string{"django_comments.delete_comment"}, Returns: "nil",
		Doc: "Deletes one comment of an execution (execution_id, comment_id), or all of them when comment_id is left out."},
	{Name: "TestExecution.get_comments", Access: Perms, Perms: []string{"django_comments.view_comment"}, Returns: "array",
		Doc: "The comments of an execution (execution_id), by id; object_pk is a string."},
	{Name: "TestExecution.add_link", Access: Perms, Perms: []string{"linkreference.add_linkreference"}, Returns: "struct",
		Doc: "Links a URL to an execution (values: execution or execution_id, url (required, http(s)/ftp, at most 200), name (at most 64), is_defect; update_tracker) and returns {id, execution, name, url, is_defect}. A URL under the base_url of a bug tracker of type tcms.issuetracker.kiwitcms.KiwiTCMS also links the execution to the bug its trailing number names; external trackers are not contacted."},
	{Name: "TestExecution.get_links", Access: Perms, Perms: []string{"linkreference.view_linkreference"}, Returns: "array",
		Doc: "Links matching the query (required), by id, as {id, name, url, execution, created_on, is_defect}. Filterable: id, name, url, is_defect, created_on, execution, execution_id, execution__run, execution__case."},
	{Name: "TestExecution.remove_link", Access: Perms, Perms: []string{"linkreference.delete_linkreference"}, Returns: "nil",
		Doc: "Deletes the links a non-empty query matches (the keys of get_links); matching none is fine."},
	{Name: "TestExecution.properties", Access: Perms, Perms: []string{"testruns.view_testexecutionproperty"}, Returns: "array",
		Doc: "Execution properties matching the query (required), by id, as {id, name, value, execution}. Filterable: id, name, value, execution, execution_id, execution__run, execution__case."},
	{Name: "TestExecution.add_property", Access: Perms, Perms: []string{"testruns.add_testexecutionproperty"}, Returns: "struct",
		Doc: "Adds the property name=value to an execution (execution_id, name, value) and returns {id, name, value, execution}; an existing identical property is returned as it is."},
	{Name: "TestExecution.add_tag", Access: Perms, Perms: []string{"testruns.add_testexecutiontag"}, Returns: "array",
		Doc: "Tags an execution (execution_id, tag_name) and returns all its tags as {id, name} by name; a missing tag is created when the caller holds management.add_tag. Tagging twice changes nothing."},
	{Name: "TestExecution.remove_tag", Access: Perms, Perms: []string{"testruns.delete_testexecutiontag"}, Returns: "array",
		Doc: "Removes a tag (execution_id, tag_name) from an execution, known or not, and returns the tags left."},
	{Name: "TestExecution.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "nil",
		Doc: "Attaches a file (execution_id, filename, b64content: standard base64) to an execution, as the caller."},
	{Name: "TestExecution.list_attachments", Access: Perms, Perms: []string{"attachments.view_attachment"}, Returns: "array",
		Doc: "An execution's attachments (execution_id) as {pk, url, owner_pk, owner_username, date}, newest first; urls are absolute."},
}

// ExecutionCommentArgs are the parameters of TestExecution.add_comment.
type ExecutionCommentArgs struct {
	ExecutionID int64  `json:"execution_id"`
	Comment     string `json:"comment"`
	UserID      *int64 `json:"user_id" rpc:"optional"`
	SubmitDate  any    `json:"submit_date" rpc:"optional"`
}

// AddComment answers TestExecution.add_comment.
func (t *TestExecution) AddComment(r *http.Request, args *ExecutionCommentArgs, reply *store.Comment) error {
	n, err := newComment(args.Comment, args.UserID, args.SubmitDate)
	if err != nil {
		return err
	}
	*reply, err = t.s.store.AddComment(r.Context(), *caller(r), store.TestExecutionOwner, args.ExecutionID, n)
	return err
}

// ExecutionRemoveCommentArgs are the parameters of
// TestExecution.remove_comment.
type ExecutionRemoveCommentArgs struct {
	ExecutionID int64  `json:"execution_id"`
	CommentID   *int64 `json:"comment_id" rpc:"optional"`
}

// RemoveComment answers TestExecution.remove_comment.
func (t *TestExecution) RemoveComment(r *http.Request, args *ExecutionRemoveCommentArgs, _ *any) error {
	return t.s.store.RemoveComments(r.Context(), store.TestExecutionOwner, args.ExecutionID, args.CommentID)
}

// GetComments answers TestExecution.get_comments.
func (t *TestExecution) GetComments(r *http.Request, args *ExecutionIDArgs, reply *[]store.CommentRow) (err error) {
	*reply, err = t.s.store.Comments(r.Context(), store.TestExecutionOwner, args.ExecutionID)
	return err
}

// AddLinkArgs are the parameters of TestExecution.add_link. UpdateTracker
// would let an external tracker hear of a defect link; this server makes
// no outbound calls, so it changes nothing (docs/bugs.md).
type AddLinkArgs struct {
	Values        map[string]any `json:"values"`
	UpdateTracker bool           `json:"update_tracker" rpc:"optional"`
}

// AddLink answers TestExecution.add_link; the legacy key execution_id
// stands for execution. A URL of the built-in bug tracker also links the
// execution to that bug (store.AddLink).
func (t *TestExecution) AddLink(r *http.Request, args *AddLinkArgs, reply *store.Link) error {
	v := maps.Clone(args.Values)
	if _, ok := v["execution"]; !ok && v != nil {
		v["execution"] = v["execution_id"] // Kiwi renames the legacy key
	}
	f := newForm(v)
	l := store.Link{URL: f.webURL("url", true, 200), Name: f.text("name", false, 64), IsDefect: f.boolean("is_defect", false)}
	if id := f.id("execution", true); id != nil {
		l.Execution = *id
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.AddLink(r.Context(), l)
	return err
}

// GetLinks answers TestExecution.get_links.
func (t *TestExecution) GetLinks(r *http.Request, args *QueryArgs, reply *[]store.LinkRow) (err error) {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	*reply, err = t.s.store.FilterLinks(r.Context(), args.Query)
	return err
}

// RemoveLink answers TestExecution.remove_link.
func (t *TestExecution) RemoveLink(r *http.Request, args *QueryArgs, _ *any) error {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	return t.s.store.RemoveLinks(r.Context(), args.Query)
}

// Properties answers TestExecution.properties.
func (t *TestExecution) Properties(r *http.Request, args *QueryArgs, reply *[]store.ExecutionProperty) (err error) {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	*reply, err = t.s.store.FilterExecutionProperties(r.Context(), args.Query)
	return err
}

// ExecutionPropertyArgs are the parameters of TestExecution.add_property.
type ExecutionPropertyArgs struct {
	ExecutionID int64  `json:"execution_id"`
	Name        string `json:"name"`
	Value       string `json:"value"`
}

// AddProperty answers TestExecution.add_property.
func (t *TestExecution) AddProperty(r *http.Request, args *ExecutionPropertyArgs, reply *store.ExecutionProperty) error {
	if err := checkProperty(args.Name, args.Value); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.AddExecutionProperty(r.Context(), args.ExecutionID, args.Name, args.Value)
	return err
}

// ExecutionTagArgs are the parameters of TestExecution.add_tag and
// remove_tag.
type ExecutionTagArgs struct {
	ExecutionID int64  `json:"execution_id"`
	TagName     string `json:"tag_name"`
}

// AddTag answers TestExecution.add_tag.
func (t *TestExecution) AddTag(r *http.Request, args *ExecutionTagArgs, reply *[]store.Tag) (err error) {
	*reply, err = t.s.store.AddExecutionTag(r.Context(), *caller(r), args.ExecutionID, args.TagName)
	return err
}

// RemoveTag answers TestExecution.remove_tag.
func (t *TestExecution) RemoveTag(r *http.Request, args *ExecutionTagArgs, reply *[]store.Tag) (err error) {
	*reply, err = t.s.store.RemoveExecutionTag(r.Context(), args.ExecutionID, args.TagName)
	return err
}

// ExecutionAttachmentArgs are the parameters of
// TestExecution.add_attachment.
type ExecutionAttachmentArgs struct {
	ExecutionID int64  `json:"execution_id"`
	Filename    string `json:"filename"`
	B64Content  string `json:"b64content"`
}

// AddAttachment answers TestExecution.add_attachment; a missing execution
// is worded as Kiwi's 404.
func (t *TestExecution) AddAttachment(r *http.Request, args *ExecutionAttachmentArgs, _ *any) error {
	return t.s.attachTo(r, store.TestExecutionOwner, "TestExecution", args.ExecutionID, args.Filename, args.B64Content)
}

// ListAttachments answers TestExecution.list_attachments.
func (t *TestExecution) ListAttachments(r *http.Request, args *ExecutionIDArgs, reply *[]store.Attachment) (err error) {
	*reply, err = t.s.recordAttachments(r, store.TestExecutionOwner, args.ExecutionID)
	return err
}
