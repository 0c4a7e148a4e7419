package lang

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// message is a people-facing format found in the source.
type message struct {
	format string
	pos    token.Position
}

// TestEveryMessageIsInTheCatalogue walks the whole module's Go source (tests
// left out) for every format a person may read: the format (or message)
// argument of any function of ours, domain.Error, FieldError and Text
// literals, and keyed `format` fields. Each must be a constant with a
// Spanish entry using the same verbs, and each call must pass as many
// arguments as its format has verbs. A message made at run time (a
// concatenation, fmt.Sprintf, err.Error()) could not be translated, so it
// fails too. On failure it prints the entries to add to es.go.
func TestEveryMessageIsInTheCatalogue(t *testing.T) {
	msgs, problems := scanMessages(t)
	for _, p := range problems {
		t.Error(p)
	}
	var missing []string
	used := map[string]bool{}
	for _, m := range msgs {
		used[m.format] = true
		if !hasWords(m.format) {
			continue
		}
		es, ok := spanish[m.format]
		if !ok {
			if !slices.Contains(missing, m.format) {
				missing = append(missing, m.format)
				t.Errorf("%s: no Spanish for %q", m.pos, m.format)
			}
			continue
		}
		if got, want := verbs(es), verbs(m.format); !slices.Equal(got, want) {
			t.Errorf("%s: the Spanish of %q has verbs %v, the English %v", m.pos, m.format, got, want)
		}
	}
	for k := range spanish {
		if !used[k] {
			t.Errorf("es.go: %q is in the catalogue but no code says it any more: remove it", k)
		}
	}
	if len(missing) > 0 {
		var b strings.Builder
		for _, m := range missing {
			fmt.Fprintf(&b, "\t%s: %s,\n", strconv.Quote(m), strconv.Quote("TODO "+m))
		}
		t.Logf("add to es.go, translated:\n%s", b.String())
	}
	if len(msgs) < 100 {
		t.Errorf("found only %d messages: the scan is broken", len(msgs))
	}
}

func hasWords(s string) bool {
	s = verbRe.ReplaceAllString(s, "")
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
}

var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\d+|\*)?(\.(\d+|\*)?)?[a-zA-Z%]`)

// verbs lists a format's verbs as "argument:verb", sorted, so that a
// translation that reorders them with %[n] still matches.
func verbs(format string) []string {
	var out []string
	next := 1
	for _, m := range verbRe.FindAllStringSubmatch(format, -1) {
		v := m[0][len(m[0])-1:]
		if v == "%" {
			continue
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(strings.Trim(m[1], "[]"))
		}
		out = append(out, fmt.Sprintf("%d:%s", next, v))
		next++
	}
	slices.Sort(out)
	return out
}

func scanMessages(t *testing.T) ([]message, []string) {
	t.Helper()
	cfg := &packages.Config{Dir: "..", Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	s := &scanner{}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("loading %s: %v", p.PkgPath, e)
		}
		for _, f := range p.Syntax {
			s.fset, s.info = p.Fset, p.TypesInfo
			ast.Inspect(f, s.visit)
		}
	}
	return s.msgs, s.problems
}

type scanner struct {
	fset     *token.FileSet
	info     *types.Info
	msgs     []message
	problems []string
}

// machinery is the files that carry messages along without making any.
var machinery = []string{"domain/error.go", "lang/lang.go"}

func (s *scanner) visit(n ast.Node) bool {
	if n != nil {
		file := s.fset.Position(n.Pos()).Filename
		if slices.ContainsFunc(machinery, func(m string) bool { return strings.HasSuffix(file, "/"+m) }) {
			return false
		}
	}
	switch n := n.(type) {
	case *ast.CallExpr:
		s.call(n)
	case *ast.CompositeLit:
		s.literal(n)
	}
	return true
}

// textParam reports whether a parameter carries a message.
func textParam(v *types.Var) bool {
	b, ok := v.Type().Underlying().(*types.Basic)
	return ok && b.Kind() == types.String && (v.Name() == "format" || v.Name() == "message")
}

func (s *scanner) call(c *ast.CallExpr) {
	sig, ok := s.info.TypeOf(c.Fun).(*types.Signature)
	if !ok || !s.ours(c.Fun) {
		return
	}
	params := sig.Params()
	for i := 0; i < params.Len(); i++ {
		p := params.At(i)
		if !textParam(p) || i >= len(c.Args) || (sig.Variadic() && i == params.Len()-1) {
			continue
		}
		format, ok := s.constant(c.Args[i], "a call's "+p.Name())
		if !ok {
			continue
		}
		// A format followed by its arguments: as many as it has verbs.
		if p.Name() == "format" && sig.Variadic() && i == params.Len()-2 && !c.Ellipsis.IsValid() {
			args := c.Args[i+1:]
			if n := len(verbs(format)); n != maxArg(format) || len(args) != n {
				s.problem(c, "%q takes %d arguments, given %d", format, maxArg(format), len(args))
			}
			for _, a := range args {
				if isErrorCall(a) {
					s.problem(a, "err.Error() is English text: pass the error itself (a *domain.Error is translated)")
				}
			}
		}
	}
}

// maxArg is the highest argument a format uses.
func maxArg(format string) int {
	n := 0
	for _, v := range verbs(format) {
		i, _ := strconv.Atoi(strings.Split(v, ":")[0])
		n = max(n, i)
	}
	return n
}

func isErrorCall(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Error" && len(c.Args) == 0
}

// ours reports whether fun is a function of this module or a closure.
func (s *scanner) ours(fun ast.Expr) bool {
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.IndexExpr: // a generic function
		return s.ours(f.X)
	default:
		return false
	}
	switch obj := s.info.Uses[id].(type) {
	case *types.Func:
		return obj.Pkg() != nil && (obj.Pkg().Path() == "franja" || strings.HasPrefix(obj.Pkg().Path(), "franja/"))
	case *types.Var:
		return obj.Pkg() != nil && strings.HasPrefix(obj.Pkg().Path(), "franja")
	}
	return false
}

var textTypes = map[string][]string{
	"franja/domain.Error":      {"Message"},
	"franja/domain.FieldError": {"Message"},
	"franja/domain.Text":       {"Format"},
}

func (s *scanner) literal(l *ast.CompositeLit) {
	tv, ok := s.info.Types[l]
	if !ok {
		return
	}
	named, _ := types.Unalias(tv.Type).(*types.Named)
	if named == nil {
		return
	}
	full := ""
	if named.Obj().Pkg() != nil {
		full = named.Obj().Pkg().Path() + "." + named.Obj().Name()
	}
	if !strings.HasPrefix(full, "franja") {
		return
	}
	fields := textTypes[full]
	for _, e := range l.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, ok := kv.Key.(*ast.Ident)
		if ok && (slices.Contains(fields, key.Name) || key.Name == "format") {
			s.constant(kv.Value, full+"."+key.Name)
		}
	}
}

// constant records e as a message if it is a constant string; a parameter
// named format or message passed on is fine; anything else is a problem.
func (s *scanner) constant(e ast.Expr, what string) (string, bool) {
	if tv, ok := s.info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		f := constant.StringVal(tv.Value)
		s.msgs = append(s.msgs, message{format: f, pos: s.fset.Position(e.Pos())})
		return f, true
	}
	if sel, ok := e.(*ast.SelectorExpr); ok && slices.Contains([]string{"format", "Format", "Message"}, sel.Sel.Name) {
		return "", false // a message copied: checked where it is made
	}
	if id, ok := e.(*ast.Ident); ok {
		if v, ok := s.info.Uses[id].(*types.Var); ok && textParam(v) {
			return "", false // passed on: checked where it is made
		}
	}
	s.problem(e, "%s is not a constant: the catalogue cannot translate it", what)
	return "", false
}

func (s *scanner) problem(n ast.Node, format string, args ...any) {
	s.problems = append(s.problems, s.fset.Position(n.Pos()).String()+": "+fmt.Sprintf(format, args...))
}
