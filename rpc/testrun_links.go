package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

var testRunLinkMethods = []Method{
	{Name: "TestRun.add_tag", Access: Perms, Perms: []string{"testruns.add_testruntag"}, Returns: "array",
		Doc: "Tags a run (run_id, tag_name) and returns all its tags as [{id, name}] by name; a missing tag is created when the caller holds management.add_tag. Tagging twice changes nothing."},
	{Name: "TestRun.remove_tag", Access: Perms, Perms: []string{"testruns.delete_testruntag"}, Returns: "array",
		Doc: "Takes a tag (run_id, tag_name) off a run and returns the tags left as [{id, name}]; the tag must exist."},
	{Name: "TestRun.add_cc", Access: Perms, Perms: []string{"testruns.change_testrun"}, Returns: "nil",
		Doc: "Adds a user (run_id, username: id, username or email) to a run's CC list; adding twice changes nothing."},
	{Name: "TestRun.remove_cc", Access: Perms, Perms: []string{"testruns.change_testrun"}, Returns: "nil",
		Doc: "Removes a user (run_id, username: id, username or email) from a run's CC list; the user must exist."},
	{Name: "TestRun.get_cc", Access: Perms, Perms: []string{"testruns.view_testrun"}, Getter: true, Returns: "array",
		Doc: "The email addresses of a run's CC list (run_id), by username."},
	{Name: "TestRun.properties", Access: Perms, Perms: []string{"testruns.view_property"}, Returns: "array",
		Doc: "Run properties matching the query ({id, run, name, value}), by run, name, value; no query matches all. Filterable: id, name, value, run, run_id, run__summary."},
	{Name: "TestRun.add_property", Access: Perms, Perms: []string{"testruns.add_property"}, Returns: "struct",
		Doc: "Adds the property name=value to a run (run_id, name, value) and returns {id, name, value, run}; an existing identical property is returned as it is."},
	{Name: "TestRun.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "nil",
		Doc: "Attaches a file (run_id, filename, b64content: standard base64, at most 5 MiB, no executables or active HTML) to a run, as the caller."},
	{Name: "TestRun.list_attachments", Access: Perms, Perms: []string{"attachments.view_attachment"}, Returns: "array",
		Doc: "A run's attachments (run_id) as {pk, url, owner_pk, owner_username, date}, newest first; urls are absolute."},
}

// RunTagArgs are the parameters of TestRun.add_tag and remove_tag.
type RunTagArgs struct {
	RunID   int64  `json:"run_id"`
	TagName string `json:"tag_name"`
}

// AddTag answers TestRun.add_tag.
func (t *TestRun) AddTag(r *http.Request, args *RunTagArgs, reply *[]store.Tag) (err error) {
	*reply, err = t.s.store.AddRunTag(r.Context(), *caller(r), args.RunID, args.TagName)
	return err
}

// RemoveTag answers TestRun.remove_tag.
func (t *TestRun) RemoveTag(r *http.Request, args *RunTagArgs, reply *[]store.Tag) (err error) {
	*reply, err = t.s.store.RemoveRunTag(r.Context(), args.RunID, args.TagName)
	return err
}

// RunCCArgs are the parameters of TestRun.add_cc and remove_cc.
type RunCCArgs struct {
	RunID    int64 `json:"run_id"`
	Username any   `json:"username"`
}

// AddCc answers TestRun.add_cc.
func (t *TestRun) AddCc(r *http.Request, args *RunCCArgs, _ *any) error {
	return t.changeCC(r, args, true)
}

// RemoveCc answers TestRun.remove_cc.
func (t *TestRun) RemoveCc(r *http.Request, args *RunCCArgs, _ *any) error {
	return t.changeCC(r, args, false)
}

func (t *TestRun) changeCC(r *http.Request, args *RunCCArgs, add bool) error {
	ref, err := userRef(args.Username)
	if err != nil {
		return err
	}
	return t.s.store.ChangeRunCC(r.Context(), args.RunID, ref, add)
}

// GetCc answers TestRun.get_cc.
func (t *TestRun) GetCc(r *http.Request, args *RunIDArgs, reply *[]string) (err error) {
	*reply, err = t.s.store.RunCC(r.Context(), args.RunID)
	return err
}

// Properties answers TestRun.properties.
func (t *TestRun) Properties(r *http.Request, args *OptQueryArgs, reply *[]store.RunProperty) (err error) {
	*reply, err = t.s.store.FilterRunProperties(r.Context(), args.Query)
	return err
}

// RunPropertyArgs are the parameters of TestRun.add_property.
type RunPropertyArgs struct {
	RunID int64  `json:"run_id"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// AddProperty answers TestRun.add_property.
func (t *TestRun) AddProperty(r *http.Request, args *RunPropertyArgs, reply *store.RunProperty) error {
	if err := checkProperty(args.Name, args.Value); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.AddRunProperty(r.Context(), args.RunID, args.Name, args.Value)
	return err
}

// RunAttachmentArgs are the parameters of TestRun.add_attachment.
type RunAttachmentArgs struct {
	RunID      int64  `json:"run_id"`
	Filename   string `json:"filename"`
	B64Content string `json:"b64content"`
}

// AddAttachment answers TestRun.add_attachment; a missing run is worded
// as Kiwi's 404.
func (t *TestRun) AddAttachment(r *http.Request, args *RunAttachmentArgs, _ *any) error {
	return t.s.attachTo(r, store.TestRunOwner, "TestRun", args.RunID, args.Filename, args.B64Content)
}

// ListAttachments answers TestRun.list_attachments.
func (t *TestRun) ListAttachments(r *http.Request, args *RunIDArgs, reply *[]store.Attachment) (err error) {
	*reply, err = t.s.recordAttachments(r, store.TestRunOwner, args.RunID)
	return err
}
