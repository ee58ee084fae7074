// Keeps this page's one-time form token in its address (?form=...). Back to this page, even when the browser
// fetches it again, then brings back the same token, so sending the form again records nothing twice.
const input = document.querySelector("input[name=form_token]");
if (input) {
  const url = new URL(window.location.href);
  if (url.searchParams.get("form") !== input.value) {
    url.searchParams.set("form", input.value);
    history.replaceState(history.state, "", url);
  }
}
