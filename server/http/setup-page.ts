// The one-time first-admin setup page linked from the start-up message. Plain HTML so it works
// before the portal exists; the script is served separately because the CSP forbids inline scripts.
import type { App } from './common.ts';

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roster: create the first admin</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1rem}#msg{margin-top:1rem}</style></head>
<body><h1>Create the first admin</h1>
<form id="setup"><label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="username">
<label for="name">Name</label><input id="name" name="name" autocomplete="name">
<label for="password">Password (12 characters or more)</label><input id="password" name="password" type="password" minlength="12" required autocomplete="new-password">
<button type="submit">Create admin</button></form><p id="msg" role="status"></p>
<script src="/setup.js"></script></body></html>`;

const script = `document.getElementById('setup').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target, msg = document.getElementById('msg');
  const token = new URLSearchParams(location.search).get('token') || '';
  const body = { token, email: f.email.value, password: f.password.value };
  if (f.name.value) body.name = f.name.value;
  const r = await fetch('/api/v1/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  msg.textContent = r.ok ? 'Admin created. You can now sign in.' : (data.error && data.error.message) || 'Setup failed';
});`;

export function setupPageRoutes(app: App): void {
  app.get('/setup', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/setup.js', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));
}
