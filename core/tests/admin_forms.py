"""POST data for a Django admin change form, as the browser would send it unchanged (tests then edit it)."""

from django.forms import MultiWidget


def admin_form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):  # a date and a time in two inputs
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif value is not False:  # an unticked checkbox is not sent
            data[name] = "on" if value is True else ("" if value is None else value)
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data
