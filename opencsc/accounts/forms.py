from django import forms


class SignInForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": False}),
    )
    password = forms.CharField(
        label="Password",
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TwoFactorForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code shown in the app now",
        max_length=10,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": False}
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        return code
