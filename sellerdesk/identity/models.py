import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sellerdesk.core import clock


class Role(models.TextChoices):
    BUYER = "buyer", _("消费者")
    MERCHANT = "merchant", _("商家")
    DISTRIBUTOR = "distributor", _("分销者")
    CS = "cs", _("平台客服")
    PLATFORM = "platform", _("平台系统")
    ADMIN = "admin", _("平台管理员")


class SubjectKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    ENTERPRISE = "enterprise", _("企业")


class Subject(models.Model):
    """The verified person or company (主体) behind a shop or a distributor. Never changed here."""

    kind = models.CharField(max_length=24, choices=SubjectKind.choices)
    legal_name = models.CharField(max_length=120)
    id_number = models.CharField(max_length=32, help_text="Resident ID or Unified Social Credit Code")
    verified_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "id_number"], name="subject_unique_id")]

    def __str__(self):
        return f"{self.legal_name} ({self.get_kind_display()})"

    @property
    def masked_id(self) -> str:
        return f"{self.id_number[:2]}{'*' * (len(self.id_number) - 6)}{self.id_number[-4:]}"


class Shop(models.Model):
    name = models.CharField(max_length=120)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="shops")

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER)
    # A distributor's (or any user's own) subject; a merchant's staff act for their shops' subject.
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    shops = models.ManyToManyField(Shop, blank=True, related_name="staff")
    # Distributors: qualification filled in and first card bound (达人钱包 opened).
    distributor_qualified = models.BooleanField(default=False)

    @property
    def is_cs(self) -> bool:
        return self.role in (Role.CS, Role.ADMIN)

    def shop_ids(self) -> list[int]:
        if self.role != Role.MERCHANT:
            return []
        if not hasattr(self, "_shop_ids"):
            self._shop_ids = list(self.shops.values_list("id", flat=True))
        return self._shop_ids

    def acting_subject(self) -> Subject | None:
        if self.subject_id:
            return self.subject
        shop = self.shops.select_related("subject").first()
        return shop.subject if shop else None


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """An API token for ERP integrations; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple["ApiToken", str]:
        raw = "sd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw), prefix=raw[:10])
        return token, raw

    @classmethod
    def user_for(cls, raw: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        return token.user if token else None

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
