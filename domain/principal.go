package domain

// Role is what a caller may do (API.md, Conventions).
type Role string

// The roles.
const (
	RoleAdmin      Role = "admin"
	RoleHR         Role = "hr"
	RoleSupervisor Role = "supervisor"
	RoleSystem     Role = "system"
)

// Principal is who makes a request: the role of their key, and for a
// supervisor key the person it is bound to. Every entry point (the HTTP API,
// the web pages, the delivery worker) hands one to the decision path.
type Principal struct {
	Role Role
	// Person is the external_id a supervisor key is bound to.
	Person string
	// KeyID identifies the API key (0 for the bootstrap admin token).
	KeyID int64
	// KeyPrefix names the key in logs and records without revealing it.
	KeyPrefix string
}

// SeesLeaveKinds reports whether the caller may see why someone is away
// (Ley 1581 de 2012, arts. 5–6: only hr and admin).
func (p *Principal) SeesLeaveKinds() bool { return p.Role == RoleAdmin || p.Role == RoleHR }
