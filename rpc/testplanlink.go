package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// PlanCaseArgs name a case of a plan.
type PlanCaseArgs struct {
	PlanID int64 `json:"plan_id"`
	CaseID int64 `json:"case_id"`
}

// AddCase answers TestPlan.add_case.
func (t *TestPlan) AddCase(r *http.Request, args *PlanCaseArgs, reply *store.PlanCase) (err error) {
	*reply, err = t.s.store.AddCaseToPlan(r.Context(), args.PlanID, args.CaseID)
	return err
}

// PlanCasesArgs are the parameters of TestPlan.add_cases.
type PlanCasesArgs struct {
	PlanID  int64   `json:"plan_id"`
	CaseIDs []int64 `json:"case_ids"`
}

// AddCases answers TestPlan.add_cases.
func (t *TestPlan) AddCases(r *http.Request, args *PlanCasesArgs, _ *any) error {
	_, err := t.s.store.AddCasesToPlan(r.Context(), args.PlanID, args.CaseIDs)
	return err
}

// RemoveCase answers TestPlan.remove_case.
func (t *TestPlan) RemoveCase(r *http.Request, args *PlanCaseArgs, _ *any) error {
	return t.s.store.RemoveCaseFromPlan(r.Context(), args.PlanID, args.CaseID)
}

// PlanCaseOrderArgs are the parameters of TestPlan.update_case_order.
type PlanCaseOrderArgs struct {
	PlanID  int64 `json:"plan_id"`
	CaseID  int64 `json:"case_id"`
	Sortkey int32 `json:"sortkey"`
}

// UpdateCaseOrder answers TestPlan.update_case_order.
func (t *TestPlan) UpdateCaseOrder(r *http.Request, args *PlanCaseOrderArgs, _ *any) error {
	return t.s.store.SetPlanCaseOrder(r.Context(), args.PlanID, args.CaseID, args.Sortkey)
}

// PlanTagArgs name a tag of a plan.
type PlanTagArgs struct {
	PlanID  int64  `json:"plan_id"`
	TagName string `json:"tag_name"`
}

// AddTag answers TestPlan.add_tag.
func (t *TestPlan) AddTag(r *http.Request, args *PlanTagArgs, _ *any) error {
	return t.s.store.TagPlan(r.Context(), *caller(r), args.PlanID, args.TagName)
}

// RemoveTag answers TestPlan.remove_tag.
func (t *TestPlan) RemoveTag(r *http.Request, args *PlanTagArgs, _ *any) error {
	return t.s.store.UntagPlan(r.Context(), args.PlanID, args.TagName)
}

// PlanAttachmentArgs are the parameters of TestPlan.add_attachment.
type PlanAttachmentArgs struct {
	PlanID     int64  `json:"plan_id"`
	Filename   string `json:"filename"`
	B64Content string `json:"b64content"`
}

// AddAttachment answers TestPlan.add_attachment; a missing plan is worded
// as Kiwi's 404.
func (t *TestPlan) AddAttachment(r *http.Request, args *PlanAttachmentArgs, _ *any) error {
	if err := t.s.store.TestPlanExists(r.Context(), args.PlanID); err != nil {
		if store.ErrorKind(err) == store.NotFound {
			return store.Errorf(store.NotFound, "No TestPlan matches the given query.")
		}
		return err
	}
	_, err := t.s.addAttachment(r, store.TestPlanOwner, args.PlanID, args.Filename, args.B64Content)
	return err
}

// ListAttachments answers TestPlan.list_attachments.
func (t *TestPlan) ListAttachments(r *http.Request, args *PlanIDArgs, reply *[]store.Attachment) error {
	if err := t.s.store.TestPlanExists(r.Context(), args.PlanID); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.listAttachments(r, store.TestPlanOwner, args.PlanID)
	return err
}
