package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Audit is the Audit namespace: who changed accounts, groups, grants,
// tokens, invitations and tenants (docs/permissions.md#audit-log). The log
// can be read, never changed.
type Audit struct{ s *Server }

var auditMethods = []Method{
	{Name: "Audit.filter", Access: Perms, Perms: []string{"admin.view_logentry"}, Returns: "array",
		Doc: "Audit log rows matching the query, oldest first, at most 1000 (page on with {\"id__gt\": <last id>}), as {id, at, tenant, actor_id, actor, address, action, target, details}: superusers see every row (tenant \"\" is the public address), anyone else the rows of the place the call addresses. Filterable: id, at, tenant, actor_id, actor, address, action, target."},
}

// Filter answers Audit.filter.
func (a *Audit) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.AuditRow) (err error) {
	*reply, err = a.s.store.FilterAudit(r.Context(), *caller(r), args.Query)
	return err
}
