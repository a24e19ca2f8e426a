// The portal's few browser calls, used through JS interop.
window.mtlPortal = {
    // A year; SameSite=Lax like the sign-in cookie. Read by the server to render the right theme.
    rememberTheme: function (dark) {
        document.cookie = "mtl.theme=" + (dark ? "dark" : "light") + "; path=/; max-age=31536000; samesite=lax";
    },
    copy: function (text) {
        return navigator.clipboard.writeText(text);
    }
};
