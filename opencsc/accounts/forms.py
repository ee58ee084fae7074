from django import forms

PASSWORD_MAX_CHARACTERS = 1_000


class SignInForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": False}),
    )
    password = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX_CHARACTERS,
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


class AccountForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter the last name"}
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@council.gov.uk"},
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    role = forms.ChoiceField(
        label="Role", choices=[], widget=forms.RadioSelect, error_messages={"required": "Select a role"}
    )
    team = forms.ModelChoiceField(label="Team", queryset=None, required=False, empty_label="No team")

    def __init__(self, *args, **kwargs):
        from opencsc.accounts.models import Role, Team

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["team"].queryset = Team.objects.all()


class NewAccountForm(AccountForm):
    username = forms.CharField(
        label="Username", max_length=150, error_messages={"required": "Enter a username"}
    )
    password = forms.CharField(
        label="Temporary password",
        max_length=PASSWORD_MAX_CHARACTERS,
        help_text="At least 12 characters. Give it to the person securely; they set up two-factor at first sign-in.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a temporary password"},
    )
    field_order = ["username", "first_name", "last_name", "email", "job_title", "role", "team", "password"]


class EditAccountForm(AccountForm):
    is_active = forms.BooleanField(label="Account is active (can sign in)", required=False)


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label="Current password",
        max_length=PASSWORD_MAX_CHARACTERS,
        error_messages={"required": "Enter your current password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password",
        max_length=PASSWORD_MAX_CHARACTERS,
        help_text="At least 12 characters, not a common password and not like your name or username",
        error_messages={"required": "Enter a new password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="New password again",
        max_length=PASSWORD_MAX_CHARACTERS,
        error_messages={"required": "Enter the new password again"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", "The two new passwords are not the same")
        return data
