import functools
import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sellerdesk.core import clock, crypto
from sellerdesk.core.errors import CodedError, NotFound
from sellerdesk.identity.error_codes import IdentityErrorCode as Code


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


ID_FINGERPRINT_DOMAIN = "subject_id"


def id_fingerprint_of(id_number: str) -> str:
    """The blind index of an ID number: how a subject is looked up by it (never by the clear value)."""
    return crypto.fingerprint(ID_FINGERPRINT_DOMAIN, id_number)


def mask_id(id_number: str) -> str:
    if len(id_number) <= 6:
        return "*" * len(id_number)
    return f"{id_number[:2]}{'*' * (len(id_number) - 6)}{id_number[-4:]}"


class Subject(models.Model):
    """The verified person or company (主体) behind a shop or a distributor. Never changed here.

    The ID number (resident ID or unified social credit code) is stored encrypted (MultiFernet, the
    account keys) with an HMAC fingerprint for look-ups and uniqueness; `id_number` reads and sets
    the clear value, `masked_id` is what anyone is shown.
    """

    kind = models.CharField(max_length=24, choices=SubjectKind.choices)
    legal_name = models.CharField(max_length=120)
    id_number_encrypted = models.TextField(help_text="Resident ID or Unified Social Credit Code, encrypted")
    id_fingerprint = models.CharField(max_length=64, db_index=True)
    verified_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "id_fingerprint"], name="subject_unique_id")]

    def __str__(self):
        return f"{self.legal_name} ({self.get_kind_display()})"

    def __repr__(self):
        return f"<Subject {self.pk}: {self.legal_name}>"

    @property
    def id_number(self) -> str:
        """The clear ID number (decrypted on each read): for checks only, never shown or logged."""
        return crypto.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    @id_number.setter
    def id_number(self, value: str) -> None:
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_fingerprint = id_fingerprint_of(value)

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)


class Shop(models.Model):
    name = models.CharField(max_length=120)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="shops")

    def __str__(self):
        return self.name


class ShopRequired(CodedError):
    """A user with several shops did not say which one they act for."""

    status = 400
    code = "shop_required"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER)
    # A distributor's (or any user's own) subject; a merchant's staff act for their shops' subject.
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    shops = models.ManyToManyField(Shop, blank=True, related_name="staff", through="ShopMembership")
    # Distributors: qualification filled in and first card bound (达人钱包 opened).
    distributor_qualified = models.BooleanField(default=False)
    # The language of the pages the user last used (identity.middleware): what their e-mails speak.
    language = models.CharField(max_length=10, blank=True, default="")

    @property
    def is_cs(self) -> bool:
        return self.role in (Role.CS, Role.ADMIN)

    def shop_ids(self) -> list[int]:
        if self.role != Role.MERCHANT:
            return []
        if not hasattr(self, "_shop_ids"):
            self._shop_ids = list(self.shops.values_list("id", flat=True))
        return self._shop_ids

    def memberships(self) -> list["ShopMembership"]:
        """The user's shops with their role in each (owner or staff), by shop id; cached on the instance."""
        if not hasattr(self, "_memberships"):
            self._memberships = list(
                ShopMembership.objects.filter(user=self).select_related("shop__subject").order_by("shop_id")
            )
        return self._memberships

    def act_for_shop(self, shop_id) -> "ShopMembership":
        """Choose the shop this request acts for (API `shop_id`, the page's session choice).
        A shop the user is not a member of is 404."""
        for m in self.memberships():
            if str(m.shop_id) == str(shop_id):
                self._acting_shop_id = m.shop_id
                return m
        raise NotFound(Code.SHOP_NOT_FOUND)

    def acting_membership(self) -> "ShopMembership | None":
        """The membership this user acts through: the chosen shop, or the only one. Several shops and
        none chosen → ShopRequired (never a guess). None when the user has no shop."""
        chosen = getattr(self, "_acting_shop_id", None)
        members = self.memberships()
        if chosen is not None:
            return next(m for m in members if m.shop_id == chosen)
        if len(members) > 1:
            raise ShopRequired(
                "您有多个店铺，请先选择要操作的店铺（shop_id）。",
                details={"shops": [{"id": m.shop_id, "name": m.shop.name} for m in members]},
            )
        return members[0] if members else None

    def acting_subject(self) -> Subject | None:
        """The subject this user acts for: their own, or their (chosen) shop's. Raises ShopRequired."""
        if self.subject_id:
            return self.subject
        membership = self.acting_membership()
        return membership.shop.subject if membership else None

    def may_manage_payout_accounts(self) -> bool:
        """Whether this user may change the acting subject's withdrawal accounts or withdraw: a user
        acting for their own subject, a shop's owner, or staff the owner granted the permission."""
        if self.subject_id:
            return True
        membership = self.acting_membership()
        return bool(membership and membership.may_manage_payout_accounts)


class ShopMembership(models.Model):
    """A user's place in a shop: its one owner, or staff (子账号) with the permissions the owner granted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shop_memberships")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    is_owner = models.BooleanField(default=False, db_default=False)
    can_manage_payout_accounts = models.BooleanField(default=False, db_default=False)

    class Meta:
        db_table = "identity_user_shops"  # the table of the plain many-to-many this replaced
        unique_together = [("user", "shop")]  # as the plain many-to-many had it
        constraints = [
            models.UniqueConstraint(fields=["shop"], condition=models.Q(is_owner=True), name="shop_one_owner"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.shop} ({'owner' if self.is_owner else 'staff'})"

    @property
    def may_manage_payout_accounts(self) -> bool:
        return self.is_owner or self.can_manage_payout_accounts


def token_ttl() -> timedelta:
    from django.conf import settings

    return timedelta(days=int(getattr(settings, "SELLERDESK_API_TOKEN_TTL_DAYS", 90)))


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@functools.cache
def _live_sql(aliased: bool) -> str:
    from django.db import connection

    qn = connection.ops.quote_name
    token_table, user_table = qn(ApiToken._meta.db_table), qn(User._meta.db_table)
    columns = [f"{token_table}.{qn(f.column)}" for f in ApiToken._meta.concrete_fields] + [
        f"{user_table}.{qn(f.column)}" for f in User._meta.concrete_fields
    ]
    if aliased:
        columns = [f"{c} AS c{i}" for i, c in enumerate(columns)]
    t, u = (
        (lambda name: f"{token_table}.{qn(ApiToken._meta.get_field(name).column)}"),
        (lambda name: f"{user_table}.{qn(User._meta.get_field(name).column)}"),
    )
    return (
        f"SELECT {', '.join(columns)} FROM {token_table} INNER JOIN {user_table} ON ({t('user')} = {u('id')}) "
        f"WHERE {t('key_hash')} = %s AND {t('revoked_at')} IS NULL AND {t('expires_at')} > %s AND {u('is_active')}"
    )


class ApiToken(models.Model):
    """An API token for ERP integrations; only its SHA-256 is stored. It works until `expires_at`
    (SELLERDESK_API_TOKEN_TTL_DAYS after it was issued) or until it is revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    #: last_used_at is written at most this often per token: a write per request would cost the API.
    LAST_USED_RESOLUTION = timedelta(minutes=1)

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple["ApiToken", str]:
        raw = "sd_" + secrets.token_urlsafe(32)
        now = clock.now()
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=_hash_token(raw),
            prefix=raw[:10],
            created_at=now,
            expires_at=now + token_ttl(),
        )
        return token, raw

    @classmethod
    def usable(cls, raw: str) -> "ApiToken | None":
        """The live token `raw` is (not expired, not revoked, its user active); marks it used."""
        from django.db import connection

        now = clock.now()
        if connection.vendor == "postgresql":
            # Every API request asks this: the statement is built once per process (building it
            # through the ORM cost about 1 ms of CPU per request, most of a token check).
            with connection.cursor() as cursor:
                cursor.execute(cls.live_sql(), cls.live_params(raw, now))
                row = cursor.fetchone()
            token = cls.from_live_row(row) if row else None
        else:
            token = (
                cls.objects.select_related("user")
                .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
                .first()
            )
        if token is not None:
            token.mark_used(now)
        return token

    def mark_used(self, now) -> None:
        """Write last_used_at, at most once per LAST_USED_RESOLUTION."""
        if self.last_used_at is None or self.last_used_at < now - self.LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    @classmethod
    def live_sql(cls, *, aliased: bool = False) -> str:
        """The SELECT `usable` makes on PostgreSQL, with its two parameters (`live_params`): the
        token's columns then its user's (`from_live_row` reads them back), for the token whose hash
        is given, not revoked, not expired and whose user is active. `aliased` names the columns
        c0, c1, … (to embed it as a CTE, where the two `id`s would clash)."""
        return _live_sql(aliased)

    @staticmethod
    def live_params(raw: str, now) -> list:
        return [_hash_token(raw), now]

    @classmethod
    def from_live_row(cls, row) -> "ApiToken":
        """The token (and its user, cached on it) from a row of `live_sql`: the first columns of
        the row are the token's, the next the user's; anything after them is ignored."""
        from django.db import connection

        token_fields, user_fields = cls._meta.concrete_fields, User._meta.concrete_fields
        n = len(token_fields)
        token = cls.from_db(connection.alias, [f.attname for f in token_fields], row[:n])
        user = User.from_db(connection.alias, [f.attname for f in user_fields], row[n : n + len(user_fields)])
        cls._meta.get_field("user").set_cached_value(token, user)
        return token

    @classmethod
    def user_for(cls, raw: str) -> User | None:
        token = cls.usable(raw)
        return token.user if token else None

    def revoke(self, now=None) -> bool:
        """Revoke once; False when it already was."""
        now = now or clock.now()
        done = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now) == 1
        if done:
            self.revoked_at = now
        return done

    def state(self, now) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
