package stack_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// resources returns the Properties of every resource of type typ, by logical id.
func resources(doc map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := doc["Resources"].(map[string]any)
	for id, r := range all {
		res, _ := r.(map[string]any)
		if res["Type"] != typ {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		out[id] = props
	}
	return out
}

// dependsOn returns the DependsOn attribute of the resource with logical id id.
func dependsOn(doc map[string]any, id string) []string {
	all, _ := doc["Resources"].(map[string]any)
	res, _ := all[id].(map[string]any)
	var out []string
	for _, d := range list(res["DependsOn"]) {
		out = append(out, render(d))
	}
	return out
}

// render flattens a CloudFormation value into a string: Fn::Join is joined, references appear
// as ${Ref} or ${Resource.Attribute}.
func render(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = render(p)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			sep, _ := join[0].(string)
			list, _ := join[1].([]any)
			parts := make([]string, len(list))
			for i, p := range list {
				parts[i] = render(p)
			}
			return strings.Join(parts, sep)
		}
		if ref, ok := v["Ref"].(string); ok {
			return "${" + ref + "}"
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok {
			return "${" + render(att[0]) + "." + render(att[1]) + "}"
		}
		keys := slices.Sorted(maps.Keys(v))
		return "${" + strings.Join(keys, ",") + "}"
	}
	return fmt.Sprint(v)
}

// statements lists every IAM policy statement in the template with where it was found. Trust
// policies (AssumeRolePolicyDocument) name principals, not actions on resources, and are left out.
func statements(doc map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	add := func(where string, policyDoc any) {
		pd, _ := policyDoc.(map[string]any)
		list, _ := pd["Statement"].([]any)
		for _, s := range list {
			st, _ := s.(map[string]any)
			out[where] = append(out[where], st)
		}
	}
	for id, p := range resources(doc, "AWS::IAM::Policy") {
		add(id, p["PolicyDocument"])
	}
	for id, p := range resources(doc, "AWS::IAM::ManagedPolicy") {
		add(id, p["PolicyDocument"])
	}
	for id, p := range resources(doc, "AWS::IAM::Role") {
		inline, _ := p["Policies"].([]any)
		for _, pol := range inline {
			m, _ := pol.(map[string]any)
			add(id, m["PolicyDocument"])
		}
	}
	return out
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// xrayWrite is the one statement allowed a "*" resource. Lambda active tracing needs
// xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource types in the AWS
// Service Authorization Reference: IAM accepts no ARN for them, only "*". The CDK writes this
// statement itself when a function's Tracing is ACTIVE. Its actions are compared exactly, so
// any other action on "*" fails the check.
var xrayWrite = []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}

// checkLeastPrivilege fails on any action with a wildcard, on any "*" resource other than the
// X-Ray statement above, and on any managed policy attached to a role (their statements are not
// in the template, so they could not be checked).
func checkLeastPrivilege(t *testing.T, doc map[string]any) {
	t.Helper()
	found := 0
	for where, sts := range statements(doc) {
		for _, st := range sts {
			var actions []string
			for _, a := range list(st["Action"]) {
				actions = append(actions, render(a))
			}
			sort.Strings(actions)
			for _, a := range actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s: action %q has a wildcard", where, a)
				}
			}
			if st["NotAction"] != nil || st["NotResource"] != nil {
				t.Errorf("%s: statement uses NotAction/NotResource: %v", where, st)
			}
			for _, r := range list(st["Resource"]) {
				if render(r) != "*" {
					continue
				}
				if !slices.Equal(actions, xrayWrite) {
					t.Errorf("%s: resource \"*\" for actions %v; only %v may have it", where, actions, xrayWrite)
					continue
				}
				found++
			}
		}
	}
	if n := len(resources(doc, "AWS::Lambda::Function")); found != n {
		t.Errorf("found %d X-Ray write statements for %d traced functions", found, n)
	}
	for id, p := range resources(doc, "AWS::IAM::Role") {
		if p["ManagedPolicyArns"] != nil {
			t.Errorf("role %s has managed policies %v; want only statements written here", id, render(p["ManagedPolicyArns"]))
		}
	}
}

// checkLogWrite checks that each function's role may write the function's own log group:
// without it the function runs, but its logs, errors and lambdamcp's metric lines go nowhere.
func checkLogWrite(t *testing.T, doc map[string]any) {
	t.Helper()
	granted := map[string][]string{} // by role: "action resource"
	for _, p := range resources(doc, "AWS::IAM::Policy") {
		pd, _ := p["PolicyDocument"].(map[string]any)
		for _, role := range list(p["Roles"]) {
			for _, s := range list(pd["Statement"]) {
				st, _ := s.(map[string]any)
				for _, a := range list(st["Action"]) {
					for _, r := range list(st["Resource"]) {
						granted[render(role)] = append(granted[render(role)], render(a)+" "+render(r))
					}
				}
			}
		}
	}
	for id, fn := range resources(doc, "AWS::Lambda::Function") {
		role := strings.TrimSuffix(render(fn["Role"]), ".Arn}") + "}"
		config, _ := fn["LoggingConfig"].(map[string]any)
		logs := strings.TrimSuffix(render(config["LogGroup"]), "}") + ".Arn}"
		for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
			if !slices.Contains(granted[role], action+" "+logs) {
				t.Errorf("function %s: its role %s may not %s on its log group %s (it may %v)", id, role, action, logs, granted[role])
			}
		}
	}
}

// restMethodPaths maps each REST method to "VERB /path" with its authorization type.
func restMethodPaths(doc map[string]any) map[string]string {
	res := resources(doc, "AWS::ApiGateway::Resource")
	var path func(id any) string
	path = func(id any) string {
		m, ok := id.(map[string]any)
		if !ok {
			return ""
		}
		ref, ok := m["Ref"].(string)
		if !ok {
			return "" // the root resource is a GetAtt of the RestApi
		}
		r := res[ref]
		return path(r["ParentId"]) + "/" + render(r["PathPart"])
	}
	out := map[string]string{}
	for _, m := range resources(doc, "AWS::ApiGateway::Method") {
		key := render(m["HttpMethod"]) + " " + path(m["ResourceId"])
		auth := render(m["AuthorizationType"])
		if auth == "CUSTOM" && m["AuthorizerId"] == nil {
			auth = "CUSTOM without authorizer"
		}
		out[key] = auth
	}
	return out
}

// httpRoutes maps each HTTP API route key to its authorization type.
func httpRoutes(doc map[string]any) map[string]string {
	out := map[string]string{}
	for _, r := range resources(doc, "AWS::ApiGatewayV2::Route") {
		auth := render(r["AuthorizationType"])
		if auth != "NONE" && r["AuthorizerId"] == nil {
			auth += " without authorizer"
		}
		if scopes := r["AuthorizationScopes"]; scopes != nil {
			auth += " " + render(scopes)
		}
		out[render(r["RouteKey"])] = auth
	}
	return out
}

func checkOutput(t *testing.T, doc map[string]any, name, want string) {
	t.Helper()
	outs, _ := doc["Outputs"].(map[string]any)
	out, ok := outs[name].(map[string]any)
	if !ok {
		t.Errorf("output %s missing; outputs: %v", name, slices.Sorted(maps.Keys(outs)))
		return
	}
	if diff := cmp.Diff(want, render(out["Value"])); diff != "" {
		t.Errorf("output %s (-want +got):\n%s", name, diff)
	}
}

// checkNoOutput fails the test if the template has an output called name.
func checkNoOutput(t *testing.T, doc map[string]any, name string) {
	t.Helper()
	if outs, _ := doc["Outputs"].(map[string]any); outs[name] != nil {
		t.Errorf("output %s present: %v", name, outs[name])
	}
}

// permissions lists every AWS::Lambda::Permission as one line: the function, the action, and
// every other property as key=value, sorted by key.
func permissions(doc map[string]any) []string {
	var out []string
	for _, p := range resources(doc, "AWS::Lambda::Permission") {
		line := render(p["FunctionName"]) + " " + render(p["Action"])
		for _, k := range slices.Sorted(maps.Keys(p)) {
			if k != "FunctionName" && k != "Action" {
				line += " " + k + "=" + render(p[k])
			}
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// functionID returns the logical id of the one function whose Description is desc.
func functionID(t *testing.T, doc map[string]any, desc string) string {
	t.Helper()
	for id, fn := range resources(doc, "AWS::Lambda::Function") {
		if render(fn["Description"]) == desc {
			return id
		}
	}
	t.Fatalf("no function described %q", desc)
	return ""
}

// env returns the environment of the one function whose Description contains desc.
func env(t *testing.T, doc map[string]any, desc string) map[string]string {
	t.Helper()
	for _, fn := range resources(doc, "AWS::Lambda::Function") {
		if !strings.Contains(render(fn["Description"]), desc) {
			continue
		}
		e, _ := fn["Environment"].(map[string]any)
		vars, _ := e["Variables"].(map[string]any)
		out := map[string]string{}
		for k, v := range vars {
			out[k] = render(v)
		}
		return out
	}
	t.Fatalf("no function described %q", desc)
	return nil
}
