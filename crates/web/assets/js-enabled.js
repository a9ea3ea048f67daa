// Marks the page as having JavaScript, before it renders, as the NHS.UK frontend expects.
// Kept in a file (not inline) so the Content-Security-Policy can forbid inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
