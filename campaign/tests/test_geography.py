import pytest
from django.core.management import call_command

from campaign.models import Commune, Province
from campaign.services import import_geography
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_new_tay_ninh_has_96_communes_82_xa_and_14_phuong():
    province = import_geography(province_code=80)
    assert (province.code, province.name) == ("80", "Tây Ninh")
    communes = Commune.objects.filter(province=province)
    assert communes.count() == 96
    assert communes.filter(kind=Commune.Kind.XA).count() == 82
    assert communes.filter(kind=Commune.Kind.PHUONG).count() == 14
    # Units of both former provinces are there: old Tây Ninh (255xx–257xx) and old Long An (27xxx–28xxx).
    assert communes.get(code="25480").name == "Phường Bình Minh"
    assert communes.get(code="27694").name == "Phường Long An"
    assert communes.get(code="28243").name == "Xã An Lục Long"


def test_import_twice_changes_nothing_and_restores_edited_names():
    import_geography(province_code=80)
    before = list(Commune.objects.order_by("code").values("pk", "code", "name", "kind"))
    Commune.objects.filter(code="25480").update(name="typo")
    import_geography(province_code=80)
    assert list(Commune.objects.order_by("code").values("pk", "code", "name", "kind")) == before
    assert Province.objects.count() == 1


def test_unknown_province_code_is_a_clear_error():
    with pytest.raises(DomainError):
        import_geography(province_code=99)
    assert not Province.objects.exists()


def test_load_geography_command(capsys):
    call_command("load_geography", "--province", "80")
    assert "96" in capsys.readouterr().out
