// Uses the one-time link at once; link previews fetch the page without running this, so they cannot use it up.
document.getElementById('login')?.submit();
