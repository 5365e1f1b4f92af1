package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// PlanType is the PlanType namespace: the kinds of test plan.
type PlanType struct{ s *Server }

var planTypeMethods = []Method{
	{Name: "PlanType.create", Access: Perms, Perms: []string{"testplans.add_plantype"}, Returns: "struct",
		Doc: "Creates a plan type from {name (unique, max 64), description} and returns {id, name, description}."},
	{Name: "PlanType.filter", Access: Perms, Perms: []string{"testplans.view_plantype"}, Returns: "array",
		Doc: "Plan types matching the query ({id, name, description}), by id. Filterable: id, name, description."},
}

// Create answers PlanType.create.
func (p *PlanType) Create(r *http.Request, args *ValuesArgs, reply *store.PlanType) error {
	f := newForm(args.Values)
	name, description := f.text("name", true, 64), f.text("description", false, 0)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = p.s.store.CreatePlanType(r.Context(), name, description)
	return err
}

// Filter answers PlanType.filter.
func (p *PlanType) Filter(r *http.Request, args *QueryArgs, reply *[]store.PlanType) (err error) {
	*reply, err = p.s.store.FilterPlanTypes(r.Context(), args.Query)
	return err
}
