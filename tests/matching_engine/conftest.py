import pytest

from ecosystem.matching.engine import Document


@pytest.fixture
def corpus():
    return [
        Document(
            "r-tom",
            "result",
            "Nuôi trồng thủy sản tuần hoàn",
            "Công nghệ nuôi tôm thẻ chân trắng tiết kiệm nước ở đầm phá Tam Giang",
            facets={"fields": ["aquaculture"], "trl": 7, "province": "Huế"},
        ),
        Document(
            "r-lua",
            "result",
            "Giống lúa chịu mặn",
            "Giống lúa ngắn ngày chịu mặn cho vùng ven biển",
            facets={"fields": ["agriculture"], "trl": 5},
        ),
        Document(
            "r-xray",
            "result",
            "Trí tuệ nhân tạo đọc phim X-quang",
            "Học sâu phát hiện tổn thương phổi trên ảnh X-quang",
            facets={"fields": ["health", "it-ai"], "trl": 4},
        ),
        Document(
            "r-heat",
            "result",
            "Heat transfer in turbine blades",
            "We study heat transfer and film cooling of gas turbine blades",
            facets={"fields": ["engineering"], "trl": 3},
        ),
        Document(
            "r-solar",
            "result",
            "Rooftop solar power with batteries",
            "Photovoltaic panels and battery storage for small factories",
            facets={"fields": ["energy"], "trl": 8},
        ),
        Document(
            "n-tom",
            "need",
            "Cần thiết bị theo dõi nước ao nuôi tôm",
            "Doanh nghiệp nuôi tôm cần đo độ mặn và oxy trong ao",
            facets={"fields": ["aquaculture"], "trl_wanted": 6, "deadline": "2999-01-01"},
        ),
        Document(
            "i-seed",
            "investor",
            "Quỹ đầu tư hạt giống",
            "Đầu tư startup công nghệ nông nghiệp và thủy sản giai đoạn sớm",
            facets={
                "fields": ["aquaculture"],
                "stages": ["seed", "pre_seed"],
                "ticket_min": 1_000_000_000,
                "ticket_max": 5_000_000_000,
            },
        ),
    ]
