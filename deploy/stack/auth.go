package stack

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"
)

// Environment variable names read by cmd/mcp-server and cmd/authorizer.
const (
	envTokenSHA256        = "MCP_AUTH_TOKEN_SHA256"
	envJWTIssuer          = "MCP_JWT_ISSUER"
	envJWTJWKSURL         = "MCP_JWT_JWKS_URL"
	envJWTAudience        = "MCP_JWT_AUDIENCE"
	envJWTAudienceClaim   = "MCP_JWT_AUDIENCE_CLAIM"
	envRequiredScopes     = "MCP_REQUIRED_SCOPES"
	envScopeImplies       = "MCP_SCOPE_IMPLIES"
	envResourceURL        = "MCP_RESOURCE_URL"
	envMetadataURL        = "MCP_RESOURCE_METADATA_URL"
	envAuthServers        = "MCP_AUTHORIZATION_SERVERS"
	envAllowedOrigins     = "MCP_ALLOWED_ORIGINS"
	envAuthFromAuthorizer = "MCP_AUTH_FROM_AUTHORIZER"
)

// envNames lists the variables above, for the test that holds them to the auth package.
var envNames = []string{
	envTokenSHA256, envJWTIssuer, envJWTJWKSURL, envJWTAudience, envJWTAudienceClaim,
	envRequiredScopes, envScopeImplies, envResourceURL, envMetadataURL, envAuthServers, envAllowedOrigins,
	envAuthFromAuthorizer,
}

// envStream names the event shapes that reach the server through Lambda response streaming
// (cmd/mcp-server reads it; lambdamcp.Options.Stream): the server cannot tell from an event.
const envStream = "MCP_STREAM"

// stackEnv are the variables the stack sets on the server from its own settings, which
// Props.ServerEnv may not set.
var stackEnv = append(slices.Clip(envNames), envStream)

// Names of the Cognito resource server scope granted to the machine-to-machine client.
const (
	cognitoResourceServer = "lambdamcp"
	cognitoScope          = "mcp"
)

// auth is how the stack verifies bearer tokens.
type auth struct {
	// verify is the environment of whichever function checks tokens: the authorizer, or the
	// server itself on a Function URL.
	verify map[string]*string
	// jwt is set when tokens are JWTs (configured or from the Cognito pool).
	jwt *resolvedJWT
}

type resolvedJWT struct {
	issuer, audience string
	scopes           []string
	implies          map[string][]string
	// audienceIsClient says audience is a client id, matched in client_id (Cognito): a token that
	// has an aud must name the endpoint in it instead (RFC 8707).
	audienceIsClient bool
	// issuerIsURL says the issuer is an http(s) URL, an OAuth issuer identifier (RFC 8414) that
	// the metadata may name as the authorization server; one that is not (a URN) is named nowhere.
	issuerIsURL bool
}

// issuerIsURL reports whether issuer is an http(s) URL with a host, which a metadata document
// may name as its authorization server (RFC 9728 section 2, RFC 8414 section 2).
func issuerIsURL(issuer string) bool {
	u, err := url.Parse(issuer)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// hasMetadata reports whether the server publishes RFC 9728 metadata: only when the tokens
// come from an authorization server the document can name, which static tokens and an issuer
// that is no URL do not.
func (a auth) hasMetadata() bool {
	return a.jwt != nil && a.jwt.issuerIsURL
}

// authorizationServers is the metadata document's list of issuers; nil for static tokens and an
// issuer that is no URL, which the server would refuse there.
func (a auth) authorizationServers() *string {
	if !a.hasMetadata() {
		return nil
	}
	return jsii.String(a.jwt.issuer)
}

// metadataURL is where ep's RFC 9728 metadata is; nil for static tokens, which no authorization
// server issues, and for an issuer that is no URL: the document would have to name one, so the
// server serves none.
func (a auth) metadataURL(ep endpoints) *string {
	if !a.hasMetadata() {
		return nil
	}
	return jsii.String(ep.metadata())
}

// serverEnv is the environment of an MCP server behind this authorizer at
// ep: it trusts the authorizer's verdict, publishes its RFC 9728 metadata
// (with the scopes it names in challenges and scopes_supported) and
// refuses Origins outside origins.
func (a auth) serverEnv(ep endpoints, origins []string) map[string]*string {
	return map[string]*string{
		envAuthFromAuthorizer: jsii.String("1"),
		envResourceURL:        jsii.String(ep.mcp()),
		envMetadataURL:        a.metadataURL(ep),
		envAuthServers:        a.authorizationServers(),
		envRequiredScopes:     a.verify[envRequiredScopes], // nil for static tokens or when none are set
		envScopeImplies:       a.verify[envScopeImplies],
		envAllowedOrigins:     jsii.String(joinOrigins(origins)),
	}
}

// authorizerEnv is the environment of a Lambda authorizer in front of ep: what verifies tokens,
// and for JWTs the endpoint, which a token with its audience in client_id must name in its aud
// when it has one (RFC 8707).
func (a auth) authorizerEnv(ep endpoints) map[string]*string {
	env := maps.Clone(a.verify)
	if a.jwt != nil {
		env[envResourceURL] = jsii.String(ep.mcp())
	}
	return env
}

// requiredScopes are the scopes every JWT must carry; nil for static tokens or when none are set.
func (a auth) requiredScopes() []string {
	if a.jwt == nil {
		return nil
	}
	return a.jwt.scopes
}

// newAuth declares the inputs of token verification: a NoEcho parameter with the SHA-256 hashes
// of static tokens (so no token, and no hash, is ever in the template), or a JWT issuer, taken
// from p.JWT or from a new Cognito user pool.
func newAuth(st awscdk.Stack, p Props) auth {
	switch {
	case p.Cognito:
		return cognitoAuth(st, p.CognitoDeletable)
	case p.JWT != nil:
		j := p.JWT
		// Without jwtJwksUrl, MCP_JWT_JWKS_URL is unset: the functions read the jwks_uri of the
		// issuer's discovery document, as the HTTP API's JWT authorizer does. A guess
		// (<issuer>/.well-known/jwks.json) would be right for some issuers only.
		return auth{
			verify: map[string]*string{
				envJWTIssuer:        jsii.String(j.Issuer),
				envJWTJWKSURL:       optional(j.JWKSURL),
				envJWTAudience:      jsii.String(j.Audience),
				envJWTAudienceClaim: optional(j.AudienceClaim),
				envRequiredScopes:   optional(strings.Join(j.RequiredScopes, " ")),
				envScopeImplies:     optional(scopeImpliesEnv(j.ScopeImplies)),
			},
			jwt: &resolvedJWT{issuer: j.Issuer, audience: j.Audience, scopes: j.RequiredScopes, implies: j.ScopeImplies,
				issuerIsURL: issuerIsURL(j.Issuer)},
		}
	}
	hashes := awscdk.NewCfnParameter(st, jsii.String(tokenHashParameter), &awscdk.CfnParameterProps{
		Type:                  jsii.String("String"),
		NoEcho:                jsii.Bool(true),
		AllowedPattern:        jsii.String(`^[0-9a-f]{64}(,[0-9a-f]{64})*$`),
		ConstraintDescription: jsii.String("comma-separated lowercase hex SHA-256 hashes"),
		Description: jsii.String("Comma-separated hex SHA-256 hashes of the accepted bearer tokens " +
			"(printf %s \"$TOKEN\" | sha256sum)"),
	})
	return auth{verify: map[string]*string{envTokenSHA256: hashes.ValueAsString()}}
}

// cognitoAuth declares a user pool that issues client-credentials access tokens with the scope
// lambdamcp/mcp, and verifies those tokens: Cognito access tokens carry no "aud" claim, the app
// client's id is in "client_id". Unless deletable, the pool outlives the stack: its users cannot
// be got back once it is deleted, so neither a destroy nor a replacement deletes it, nor may
// anyone else while deletion protection is on.
func cognitoAuth(st awscdk.Stack, deletable bool) auth {
	removal := awscdk.RemovalPolicy_RETAIN
	if deletable {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	pool := awscognito.NewUserPool(st, jsii.String("UserPool"), &awscognito.UserPoolProps{
		SelfSignUpEnabled:  jsii.Bool(false),
		DeletionProtection: jsii.Bool(!deletable),
		RemovalPolicy:      removal,
	})
	scope := awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{
		ScopeName:        jsii.String(cognitoScope),
		ScopeDescription: jsii.String("Call the MCP server"),
	})
	server := pool.AddResourceServer(jsii.String("ResourceServer"), &awscognito.UserPoolResourceServerOptions{
		Identifier: jsii.String(cognitoResourceServer),
		Scopes:     &[]awscognito.ResourceServerScope{scope},
	})
	// A Cognito domain prefix is unique per region across all accounts; the stack id's UUID is.
	stackUUID := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
	domain := pool.AddDomain(jsii.String("Domain"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String("lambdamcp-" + *stackUUID)},
	})
	client := pool.AddClient(jsii.String("MachineClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret: jsii.Bool(true),
		// No user sign-in through this client: left unset, Cognito allows SRP and custom
		// authentication, whose tokens name this client too. The CDK always adds
		// ALLOW_REFRESH_TOKEN_AUTH, which allows nothing here: client credentials issue no
		// refresh token.
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(false), Custom: jsii.Bool(false)},
		PreventUserExistenceErrors: jsii.Bool(true),
		OAuth: &awscognito.OAuthSettings{
			Flows:  &awscognito.OAuthFlows{ClientCredentials: jsii.Bool(true)},
			Scopes: &[]awscognito.OAuthScope{awscognito.OAuthScope_ResourceServer(server, scope)},
		},
	})
	issuer := *pool.UserPoolProviderUrl()
	required := cognitoResourceServer + "/" + cognitoScope

	awscdk.NewCfnOutput(st, jsii.String("CognitoTokenUrl"), &awscdk.CfnOutputProps{
		Value:       jsii.String(*domain.BaseUrl(nil) + "/oauth2/token"),
		Description: jsii.String("Client-credentials token endpoint"),
	})
	awscdk.NewCfnOutput(st, jsii.String("CognitoClientId"), &awscdk.CfnOutputProps{
		Value:       client.UserPoolClientId(),
		Description: jsii.String("App client id; its secret: aws cognito-idp describe-user-pool-client"),
	})
	awscdk.NewCfnOutput(st, jsii.String("CognitoUserPoolId"), &awscdk.CfnOutputProps{Value: pool.UserPoolId()})
	awscdk.NewCfnOutput(st, jsii.String("CognitoScope"), &awscdk.CfnOutputProps{Value: jsii.String(required)})

	// The pool's keys are where Cognito serves them: no discovery round trip at a cold start.
	return auth{
		verify: map[string]*string{
			envJWTIssuer:        jsii.String(issuer),
			envJWTJWKSURL:       jsii.String(issuer + "/.well-known/jwks.json"),
			envJWTAudience:      client.UserPoolClientId(),
			envJWTAudienceClaim: jsii.String("client_id"),
			envRequiredScopes:   jsii.String(required),
		},
		jwt: &resolvedJWT{issuer: issuer, audience: *client.UserPoolClientId(), scopes: []string{required}, audienceIsClient: true,
			issuerIsURL: true},
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}
