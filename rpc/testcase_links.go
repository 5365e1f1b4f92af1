package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

var testCaseLinkMethods = []Method{
	{Name: "TestCase.add_comment", Access: Perms, Perms: []string{"django_comments.add_comment"}, Returns: "struct",
		Doc: "Comments on a case (case_id, comment, user_id, submit_date) and returns the comment; only a superuser's user_id and submit_date overrides count."},
	{Name: "TestCase.remove_comment", Access: Perms, Perms: []string{"django_comments.delete_comment"}, Returns: "nil",
		Doc: "Deletes one comment of a case (case_id, comment_id), or all of them when comment_id is left out."},
	{Name: "TestCase.comments", Access: Perms, Perms: []string{"django_comments.view_comment"}, Returns: "array",
		Doc: "The comments of a case (case_id), by id; object_pk is a string."},
	{Name: "TestCase.add_tag", Access: Perms, Perms: []string{"testcases.add_testcasetag"}, Returns: "nil",
		Doc: "Tags a case (case_id, tag name); a missing tag is created when the caller holds management.add_tag. Tagging twice changes nothing."},
	{Name: "TestCase.remove_tag", Access: Perms, Perms: []string{"testcases.delete_testcasetag"}, Returns: "nil",
		Doc: "Removes a tag (case_id, tag name) from a case; the tag must exist."},
	{Name: "TestCase.add_component", Access: Perms, Perms: []string{"testcases.add_testcasecomponent"}, Returns: "struct",
		Doc: "Links the component of a name of the case's product (case_id, component) and returns {id, name, product, initial_owner, description}. Linking twice changes nothing."},
	{Name: "TestCase.remove_component", Access: Perms, Perms: []string{"testcases.delete_testcasecomponent"}, Returns: "nil",
		Doc: "Unlinks a component from a case (case_id, component_id); both must exist."},
	{Name: "TestCase.properties", Access: Perms, Perms: []string{"testcases.view_property"}, Returns: "array",
		Doc: "Case properties matching the query ({id, case, name, value}), by case, name, value; no query matches all. Filterable: id, name, value, case, case_id, case__summary."},
	{Name: "TestCase.add_property", Access: Perms, Perms: []string{"testcases.add_property"}, Returns: "struct",
		Doc: "Adds the property name=value to a case (case_id, name, value) and returns {id, name, value, case}; an existing identical property is returned as it is."},
	{Name: "TestCase.remove_property", Access: Perms, Perms: []string{"testcases.delete_property"}, Returns: "nil",
		Doc: "Deletes every case property the query matches (the keys of TestCase.properties); the query may not be empty."},
	{Name: "TestCase.add_notification_cc", Access: Perms, Perms: []string{"testcases.change_testcase"}, Returns: "nil",
		Doc: "Adds email addresses (case_id, cc_list: a list) to a case's notification CC list; present ones are skipped."},
	{Name: "TestCase.remove_notification_cc", Access: Perms, Perms: []string{"testcases.change_testcase"}, Returns: "nil",
		Doc: "Removes email addresses (case_id, cc_list: a list) from a case's notification CC list; absent ones are ignored."},
	{Name: "TestCase.get_notification_cc", Access: Perms, Perms: []string{"testcases.view_testcase"}, Getter: true, Returns: "array",
		Doc: "A case's notification CC addresses (case_id), [] when none."},
	{Name: "TestCase.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "nil",
		Doc: "Attaches a file (case_id, filename, b64content: standard base64) to a case, as the caller."},
	{Name: "TestCase.list_attachments", Access: Perms, Perms: []string{"attachments.view_attachment"}, Returns: "array",
		Doc: "A case's attachments (case_id) as {pk, url, owner_pk, owner_username, date}, newest first; urls are absolute."},
}

// LinkCaseArgs names one test case.
type LinkCaseArgs struct {
	CaseID int64 `json:"case_id"`
}

// AddCommentArgs are the parameters of TestCase.add_comment.
type AddCommentArgs struct {
	CaseID     int64  `json:"case_id"`
	Comment    string `json:"comment"`
	UserID     *int64 `json:"user_id" rpc:"optional"`
	SubmitDate any    `json:"submit_date" rpc:"optional"`
}

// AddComment answers TestCase.add_comment.
func (c *TestCase) AddComment(r *http.Request, args *AddCommentArgs, reply *store.Comment) (err error) {
	n, err := newComment(args.Comment, args.UserID, args.SubmitDate)
	if err != nil {
		return err
	}
	*reply, err = c.s.store.AddComment(r.Context(), *caller(r), store.TestCaseOwner, args.CaseID, n)
	return err
}

// RemoveCommentArgs are the parameters of TestCase.remove_comment.
type RemoveCommentArgs struct {
	CaseID    int64  `json:"case_id"`
	CommentID *int64 `json:"comment_id" rpc:"optional"`
}

// RemoveComment answers TestCase.remove_comment.
func (c *TestCase) RemoveComment(r *http.Request, args *RemoveCommentArgs, _ *any) error {
	return c.s.store.RemoveComments(r.Context(), store.TestCaseOwner, args.CaseID, args.CommentID)
}

// Comments answers TestCase.comments.
func (c *TestCase) Comments(r *http.Request, args *LinkCaseArgs, reply *[]store.CommentRow) (err error) {
	*reply, err = c.s.store.Comments(r.Context(), store.TestCaseOwner, args.CaseID)
	return err
}

// CaseTagArgs are the parameters of TestCase.add_tag and remove_tag.
type CaseTagArgs struct {
	CaseID int64  `json:"case_id"`
	Tag    string `json:"tag"`
}

// AddTag answers TestCase.add_tag.
func (c *TestCase) AddTag(r *http.Request, args *CaseTagArgs, _ *any) error {
	return c.s.store.AddCaseTag(r.Context(), *caller(r), args.CaseID, args.Tag)
}

// RemoveTag answers TestCase.remove_tag.
func (c *TestCase) RemoveTag(r *http.Request, args *CaseTagArgs, _ *any) error {
	return c.s.store.RemoveCaseTag(r.Context(), args.CaseID, args.Tag)
}

// AddComponentArgs are the parameters of TestCase.add_component.
type AddComponentArgs struct {
	CaseID    int64  `json:"case_id"`
	Component string `json:"component"`
}

// AddComponent answers TestCase.add_component.
func (c *TestCase) AddComponent(r *http.Request, args *AddComponentArgs, reply *store.Component) (err error) {
	*reply, err = c.s.store.AddCaseComponent(r.Context(), args.CaseID, args.Component)
	return err
}

// RemoveComponentArgs are the parameters of TestCase.remove_component.
type RemoveComponentArgs struct {
	CaseID      int64 `json:"case_id"`
	ComponentID int64 `json:"component_id"`
}

// RemoveComponent answers TestCase.remove_component.
func (c *TestCase) RemoveComponent(r *http.Request, args *RemoveComponentArgs, _ *any) error {
	return c.s.store.RemoveCaseComponent(r.Context(), args.CaseID, args.ComponentID)
}

// Properties answers TestCase.properties.
func (c *TestCase) Properties(r *http.Request, args *OptQueryArgs, reply *[]store.CaseProperty) (err error) {
	*reply, err = c.s.store.FilterCaseProperties(r.Context(), args.Query)
	return err
}

// CasePropertyArgs are the parameters of TestCase.add_property.
type CasePropertyArgs struct {
	CaseID int64  `json:"case_id"`
	Name   string `json:"name"`
	Value  string `json:"value"`
}

// AddProperty answers TestCase.add_property.
func (c *TestCase) AddProperty(r *http.Request, args *CasePropertyArgs, reply *store.CaseProperty) error {
	if err := checkProperty(args.Name, args.Value); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.AddCaseProperty(r.Context(), args.CaseID, args.Name, args.Value)
	return err
}

// RemoveProperty answers TestCase.remove_property.
func (c *TestCase) RemoveProperty(r *http.Request, args *QueryArgs, _ *any) error {
	return c.s.store.RemoveCaseProperties(r.Context(), args.Query)
}

// CaseCCArgs are the parameters of TestCase.add_notification_cc and
// remove_notification_cc.
type CaseCCArgs struct {
	CaseID int64 `json:"case_id"`
	CCList any   `json:"cc_list"`
}

// AddNotificationCc answers TestCase.add_notification_cc.
func (c *TestCase) AddNotificationCc(r *http.Request, args *CaseCCArgs, _ *any) error {
	return c.changeCC(r, args, true)
}

// RemoveNotificationCc answers TestCase.remove_notification_cc.
func (c *TestCase) RemoveNotificationCc(r *http.Request, args *CaseCCArgs, _ *any) error {
	return c.changeCC(r, args, false)
}

func (c *TestCase) changeCC(r *http.Request, args *CaseCCArgs, add bool) error {
	list, ok := args.CCList.([]any)
	if !ok {
		return invalidParams("cc_list should be a list object.")
	}
	emails := make([]string, len(list))
	for i, e := range list {
		if emails[i], ok = e.(string); !ok {
			return invalidParams("cc_list should be a list of strings.")
		}
	}
	return c.s.store.ChangeCaseCC(r.Context(), args.CaseID, emails, add)
}

// GetNotificationCc answers TestCase.get_notification_cc.
func (c *TestCase) GetNotificationCc(r *http.Request, args *LinkCaseArgs, reply *[]string) (err error) {
	*reply, err = c.s.store.CaseCC(r.Context(), args.CaseID)
	return err
}

// CaseAttachmentArgs are the parameters of TestCase.add_attachment.
type CaseAttachmentArgs struct {
	CaseID     int64  `json:"case_id"`
	Filename   string `json:"filename"`
	B64Content string `json:"b64content"`
}

// AddAttachment answers TestCase.add_attachment.
func (c *TestCase) AddAttachment(r *http.Request, args *CaseAttachmentArgs, _ *any) error {
	if err := c.s.store.RecordExists(r.Context(), store.TestCaseOwner, args.CaseID); err != nil {
		return err
	}
	_, err := c.s.addAttachment(r, store.TestCaseOwner, args.CaseID, args.Filename, args.B64Content)
	return err
}

// ListAttachments answers TestCase.list_attachments.
func (c *TestCase) ListAttachments(r *http.Request, args *LinkCaseArgs, reply *[]store.Attachment) error {
	if err := c.s.store.RecordExists(r.Context(), store.TestCaseOwner, args.CaseID); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.ListAttachments(r.Context(), store.TestCaseOwner, args.CaseID, requestBase(r))
	return err
}

// requestBase is the scheme and host the request came to, for absolute
// URLs: "https://tcms.example.com".
func requestBase(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
