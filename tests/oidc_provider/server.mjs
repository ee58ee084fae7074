// A real OpenID Connect provider for OpenCSC's single sign-on tests: panva's certified oidc-provider, set up to
// answer like Microsoft Entra ID does (oid, preferred_username and email in the ID token; amr lists "mfa" when the
// person passed multi-factor authentication). Nothing here is mocked: discovery, the authorisation code flow with
// PKCE, client authentication, the signed ID token and the JWKS are the library's own.
//
// Configuration comes from the environment (tests/sso_provider.py starts it):
//   OIDC_TEST_ACCOUNTS       JSON {login: {password, sub, oid, preferred_username, email, name, mfa}}
//   OIDC_TEST_CLIENT         JSON {client_id, client_secret, redirect_uris}
//   OIDC_TEST_PORT           port to listen on (0, the default, lets the system choose)
// Once listening it prints one line, "issuer=<url>", which the test fixture waits for.
import crypto from 'node:crypto';
import http from 'node:http';
import querystring from 'node:querystring';

import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');
const client = JSON.parse(process.env.OIDC_TEST_CLIENT || '{}');

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };
}

const accountsBySubject = Object.fromEntries(Object.values(accounts).map((account) => [account.sub, account]));

async function findAccount(_ctx, subject) {
  const account = accountsBySubject[subject];
  if (!account) return undefined;
  return {
    accountId: subject,
    async claims() {
      return {
        sub: account.sub,
        oid: account.oid,
        preferred_username: account.preferred_username,
        email: account.email,
        email_verified: account.email_verified ?? true,
        name: account.name,
      };
    },
  };
}

// First-party client: a grant for the standard scopes is made on sign-in, so no consent screen is shown (as
// with an Entra ID application whose admin consent is granted for the tenant).
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

function loginPage(uid, message) {
  const error = message ? `<p role="alert" id="error">${escapeHtml(message)}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider: sign in</h1>${error}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="off">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit">Sign in to the identity provider</button></form></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(querystring.parse(body)));
    req.on('error', reject);
  });
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(details.uid));
    return;
  }
  const form = await readForm(req);
  const account = accounts[form.login];
  if (!account || account.password !== form.password) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(details.uid, 'The username or password is not right'));
    return;
  }
  const amr = account.mfa ? ['pwd', 'mfa'] : ['pwd'];
  await provider.interactionFinished(req, res, { login: { accountId: account.sub, amr } }, { mergeWithLastSubmission: false });
}

const server = http.createServer();
server.listen(Number(process.env.OIDC_TEST_PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{ ...client, grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [signingKey()] },
    findAccount,
    loadExistingGrant,
    claims: {
      openid: ['sub', 'amr', 'auth_time'], // always in the ID token, as Entra ID sends amr
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'oid'],
    },
    conformIdTokenClaims: false, // Entra ID puts the profile claims in the ID token itself
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, it) => `/interaction/${it.uid}` },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((err) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    } else {
      callback(req, res);
    }
  });
  console.log(`issuer=${issuer}`);
});
