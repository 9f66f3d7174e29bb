"""What upper layers hear from a recording, inside its transaction.

``enrollments_recorded`` is sent once a form, API call or import has stored its enrollments and
before the transaction commits, with ``enrollments`` (the stored rows, in order), ``source`` and
``user``. A receiver that raises ``DomainError`` refuses the whole recording: nothing is stored.
``settlements`` numbers receipts this way without enrollments knowing of it.
"""

from django.dispatch import Signal

enrollments_recorded = Signal()

# Sent by the page that shows what was just recorded (the form's confirmation), with ``request``
# and ``enrollments`` (the rows shown, already scoped to the viewer). A receiver returns None or a
# panel, ``{"template": name, "context": {...}}``, shown under the list: ``settlements`` adds the
# VietQR code of each receipt this way, so enrollments renders it without knowing of receipts.
recorded_page_panels = Signal()
