from kasane.conftest import head_of


def test_household_detail_shows_the_head_to_its_agency(household, caseworker, login):
    response = login(caseworker).get(f"/registry/households/{household.public_id}/")
    assert response.status_code == 200
    assert head_of(household).name in response.content.decode()


def test_outsider_gets_404(household, outsider, login):
    response = login(outsider).get(f"/registry/households/{household.public_id}/")
    assert response.status_code == 404
