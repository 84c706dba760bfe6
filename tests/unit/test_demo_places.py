"""The demo office's addresses read as real ones (issue 10: the demo showed "海南省台北市"): every city lies in
the province (state) the address names, and a Chinese district belongs to that city."""

from random import Random

import pytest

from demo import text_en, text_zh
from demo.pools import make_pools

REGIONS = {"zh": text_zh.TEXT["regions"], "en": text_en.TEXT["regions"]}


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_generated_address_names_a_city_of_its_own_province(locale):
    pools, rng = make_pools(locale, 20261122), Random(1)
    province_of = {city: region for region, city, _ in REGIONS[locale]}
    for _ in range(2000):
        address, city = pools.address(rng)
        province = province_of[city]
        if locale == "zh":
            assert address.startswith(city if province == city else province + city), address
            district = address.removeprefix(province).removeprefix(city)
            assert any(district.startswith(d) for r, c, ds in REGIONS[locale] if c == city for d in ds), address
        else:
            assert f", {city}, {province} " in address, address


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_no_city_is_listed_under_two_provinces(locale):
    cities = [city for _, city, _ in REGIONS[locale]]
    assert len(cities) == len(set(cities))


def test_an_english_zip_code_is_one_of_its_citys_area():
    pools, rng = make_pools("en", 20261122), Random(2)
    prefixes = {city: zips for _, city, zips in REGIONS["en"]}
    for _ in range(500):
        address, city = pools.address(rng)
        zip_code = address.rsplit(" ", 1)[1]
        assert len(zip_code) == 5 and zip_code[:3] in prefixes[city], address
